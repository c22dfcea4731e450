"""The cells of a history import's row, read as values (qalibrate.history.importing): dates,
version numbers, tolerances, channels and answers, each checked, with a message the user can act
on when it will not do. No query and no write.

Answers are checked as the evaluation form checks them (evaluations.services.checked_value);
yes and no, N/A and option labels may be written in any case and in the user's language."""

import json
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qalibrate.calibration.answers import answer_order
from qalibrate.contacts import importing as contact_import
from qalibrate.contacts.importing import CHANNEL_WORDS, CellProblem, shown
from qalibrate.evaluations.services import AnswerInput, checked_value
from qalibrate.scorecards import scoring
from qalibrate.scorecards.models import Criterion

DATE_FORMATS = ["%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S"]
MAX_TOLERANCE = 100

Answer = tuple[str, bool]  # the stored value ("" for N/A) and whether it is N/A


class Cells(contact_import.Cells):
    """The values of one row, parsed column by column; problems are collected, not raised."""

    def __init__(self, *, row: int, record: dict[str, Any]):
        super().__init__(row=row, record=record)
        self.answered: tuple[str, int] | None = None  # (external id, criterion id) once known


def text(value: Any) -> str:
    """A cell as text, as it reads: spreadsheets store every number as a float. A formula
    written as text (=1+1) stays the text it is; nothing is ever evaluated."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def limited_text(limit: int, raw: Any) -> str:
    value = text(raw)
    if len(value) > limit:
        raise CellProblem(
            _("At most %(limit)d characters are allowed; this value has %(length)d.")
            % {"limit": limit, "length": len(value)}
        )
    return value


def date_parse(raw: Any) -> date:
    """A spreadsheet date, ISO 8601 (2026-03-02, also with a time) or DD.MM.YYYY."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = text(raw)
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise CellProblem(
        _("%(value)s is not a date; write e.g. 2026-03-02 or 02.03.2026.") % {"value": shown(value)}
    )


def version_number_parse(raw: Any) -> int:
    value = text(raw)
    digits = value[1:] if value[:1] in ("v", "V") else value
    if not digits.isdecimal() or int(digits) < 1:
        raise CellProblem(
            _("%(value)s is not a version number; write e.g. 2.") % {"value": shown(value)}
        )
    return int(digits)


def tolerance_parse(raw: Any) -> Decimal:
    """Points, 0 to 100, kept to one decimal as a session's tolerance is."""
    try:
        value = Decimal(text(raw).replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= MAX_TOLERANCE:
        raise CellProblem(
            _("%(value)s is not a tolerance; write points from 0 to %(max)d, e.g. 5.")
            % {"value": shown(text(raw)), "max": MAX_TOLERANCE}
        )
    return value.quantize(Decimal("0.1"))


def channel_parse(raw: Any) -> str:
    """call, chat, email or ticket, in any of the words the contact import knows."""
    value = text(raw)
    channel = CHANNEL_WORDS.get(value.casefold())
    if channel is None:
        raise CellProblem(
            _("Unknown channel %(value)s; use call, chat, email or ticket.")
            % {"value": shown(value)}
        )
    return channel.value


def answer_parse(criterion: Criterion, raw: Any) -> Answer:
    """An answer as the evaluation form stores it, checked as the form checks it."""
    written = ("yes" if raw else "no") if isinstance(raw, bool) else text(raw)
    na = written.casefold() in {"na", "n/a", _("N/A").casefold()}
    value = "" if na else _form_value(criterion, written)
    try:
        return checked_value(criterion, AnswerInput(value, na=na)), na
    except ValidationError as error:
        possible = [answer_shown((v, False)) for v in answer_order(criterion) if v != "na"]
        if criterion.na_allowed:
            possible.append(_("N/A"))
        raise CellProblem(
            " ".join(error.messages)
            + " "
            + _("Possible answers: %(answers)s.") % {"answers": ", ".join(possible)}
        ) from None


def _form_value(criterion: Criterion, written: str) -> str:
    """What the form's button holds for an answer as written: "Yes" is yes, "partly" is the
    option Partly, 4.0 is the scale's 4. Anything else stays as written, for the check."""
    folded = written.casefold()
    if criterion.kind == "yes_no":
        words = {"yes": "yes", "no": "no", _("Yes").casefold(): "yes", _("No").casefold(): "no"}
        return words.get(folded, written)
    if criterion.kind == "options":
        labels = [option["label"] for option in criterion.options]
        if written in labels:
            return written
        return next((label for label in labels if label.casefold() == folded), written)
    if criterion.kind == "scale":
        try:
            number = Decimal(written.replace(",", "."))
        except InvalidOperation:
            return written
        if number.is_finite() and number == number.to_integral_value():
            return str(int(number))
    return written


def answer_shown(answer: Answer) -> str:
    value, na = answer
    return _("N/A") if na else value


def scoring_value(criterion: Criterion, answer: Answer):
    """An answer as the scoring function takes it (AnswerValueMixin.scoring_value)."""
    value, na = answer
    if na:
        return scoring.NA
    if criterion.kind == "scale":
        return int(value)
    return value
