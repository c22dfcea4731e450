"""The rules of an answer, with no query and no write: the order of a criterion's possible
answers, how an answer reads, and the answer a session's reference mode proposes. Reads,
writes, template tags and the demo all take them from here."""

from collections import Counter

from django.utils.translation import gettext

from qalibrate.agreement.session_figures import lower_median, majority
from qalibrate.calibration.models import AgreedSource, CalibrationSession, ReferenceMode
from qalibrate.evaluations.models import Answer
from qalibrate.scorecards.models import Criterion


def answer_order(criterion: Criterion) -> list[str]:
    """The possible answers in the form's order (ties in a majority go to the first)."""
    if criterion.kind == "yes_no":
        return ["yes", "no", "na"]
    if criterion.kind == "scale":
        return [str(v) for v in criterion.scale_values] + ["na"]
    return [option["label"] for option in criterion.options] + ["na"]


def answer_label(criterion: Criterion, form_value: str) -> str:
    """An answer as people read it: Yes/No, N/A, a scale point or an option's label."""
    if form_value == "na":
        return gettext("N/A")
    if criterion.kind == "yes_no":
        return {"yes": gettext("Yes"), "no": gettext("No")}.get(form_value, form_value)
    return form_value


def reference_proposal(
    session: CalibrationSession, criterion: Criterion, answers: list[Answer]
) -> tuple[str, str] | None:
    """The answer the reference mode proposes for one criterion of one contact ("na" for N/A)
    and where it comes from (an AgreedSource), or None when nobody answered. ``answers`` are
    the submitted answers with their evaluation."""
    values = [a.form_value for a in answers if a.form_value != ""]
    if session.reference_mode == ReferenceMode.EXPERT:
        expert = [a.form_value for a in answers if a.evaluation.evaluator_id == session.expert_id]
        if expert and expert[0] != "":
            return expert[0], AgreedSource.EXPERT
    if session.reference_mode == ReferenceMode.MEDIAN and criterion.kind == "scale":
        numbers = [int(v) for v in values if v != "na"]
        if numbers and len(numbers) * 2 > len(values):
            return str(lower_median(numbers)), AgreedSource.MEDIAN
    value = majority(values, order=answer_order(criterion))
    if value is None:
        return None
    counts = Counter(values)
    if len(counts) == 1 and len(values) > 1:
        return value, AgreedSource.UNANIMOUS
    top = counts[value]
    tied = sum(count == top for count in counts.values()) > 1
    return value, AgreedSource.TIE if tied else AgreedSource.MAJORITY


def reference_answer(session: CalibrationSession, criterion: Criterion, answers: list[Answer]):
    """The answer the reference mode proposes ("na" for N/A), or None when nobody answered."""
    proposal = reference_proposal(session, criterion, answers)
    return None if proposal is None else proposal[0]
