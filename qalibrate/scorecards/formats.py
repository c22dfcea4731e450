"""Scorecards to and from files: the versioned JSON format and the XLSX template (README)."""

import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import sees_every_team
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.scorecards.models import (
    CRITERION_CONTENT_FIELDS,
    Criterion,
    CriterionKind,
    CriticalScope,
    Purpose,
    Scorecard,
    ScorecardVersion,
    Section,
    new_key,
)
from qalibrate.scorecards.services import criterion_validate

FORMAT_NAME = "qalibrate.scorecard"
FORMAT_VERSION = 1
CRITERION_FIELDS = ["key", *CRITERION_CONTENT_FIELDS]
XLSX_COLUMNS = [
    ("section", "Section"),
    ("weight", "Section weight"),
    ("text", "Criterion"),
    ("kind", "Kind"),
    ("points", "Points"),
    ("scale_min", "Scale from"),
    ("scale_max", "Scale to"),
    ("options", "Options"),
    ("na_allowed", "N/A allowed"),
    ("critical", "Critical"),
    ("guideline", "Guideline"),
    ("purpose", "Why it matters"),
]
XLSX_MAX_BYTES = 5 * 1024 * 1024


class ImportErrors(Exception):
    """Every problem found in a file, each naming where it is; nothing was imported."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


# --- export -----------------------------------------------------------------------------------


def version_to_dict(version: ScorecardVersion) -> dict:
    scorecard = version.scorecard
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": scorecard.name,
        "purpose": scorecard.purpose,
        "language": scorecard.language,
        "description": scorecard.description,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "description": section.description,
                "weight": section.weight,
                "criteria": [
                    {name: getattr(criterion, name) for name in CRITERION_FIELDS}
                    for criterion in section.criteria.all()
                ],
            }
            for section in version.sections.prefetch_related("criteria")
        ],
    }


# --- import from the JSON format --------------------------------------------------------------


@dataclass
class _Checker:
    errors: list[str]

    def text(self, data: dict, name: str, where: str, *, required=True, max_length=None) -> str:
        value = data.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors.append(f"{where}{name}: " + _("must be text"))
            return ""
        value = value.strip()
        if required and not value:
            self.errors.append(f"{where}{name}: " + _("is required"))
        if max_length and len(value) > max_length:
            self.errors.append(
                f"{where}{name}: " + _("is longer than %(n)d characters") % {"n": max_length}
            )
        return value

    def choice(self, data: dict, name: str, where: str, choices, default=None) -> str:
        value = data.get(name, default)
        if value not in choices:
            allowed = ", ".join(str(c) for c in choices)
            self.errors.append(
                f"{where}{name}: "
                + _("%(value)r is not one of %(allowed)s") % {"value": value, "allowed": allowed}
            )
        return value

    def integer(self, data: dict, name: str, where: str, default, minimum=None) -> int:
        value = data.get(name, default)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.append(
                f"{where}{name}: " + _("%(value)r is not a whole number") % {"value": value}
            )
            return default
        if minimum is not None and value < minimum:
            self.errors.append(f"{where}{name}: " + _("must be at least %(n)d") % {"n": minimum})
        return value

    def boolean(self, data: dict, name: str, where: str, default=False) -> bool:
        value = data.get(name, default)
        if not isinstance(value, bool):
            self.errors.append(f"{where}{name}: " + _("must be true or false"))
            return default
        return value


def _options(check: _Checker, raw, where: str) -> list[dict]:
    if not isinstance(raw, list):
        check.errors.append(f"{where}options: " + _("must be a list"))
        return []
    options = []
    for i, option in enumerate(raw):
        place = f"{where}options[{i}]."
        if not isinstance(option, dict):
            check.errors.append(place[:-1] + ": " + _("must be an object"))
            continue
        options.append(
            {
                "label": check.text(option, "label", place, max_length=100),
                "points": check.integer(option, "points", place, 0, minimum=0),
            }
        )
    return options


def parse_scorecard_dict(data) -> tuple[dict, list[tuple[dict, list[Criterion]]]]:
    """Check a whole document; return the scorecard fields and unsaved sections with criteria."""
    check = _Checker(errors=[])
    if not isinstance(data, dict):
        raise ImportErrors([_("The file must hold one JSON object.")])
    if data.get("format") != FORMAT_NAME:
        raise ImportErrors(["format: " + _("expected %(name)r") % {"name": FORMAT_NAME}])
    if data.get("format_version") != FORMAT_VERSION:
        raise ImportErrors(
            [
                "format_version: "
                + _("version %(v)r is not supported") % {"v": data.get("format_version")}
            ]
        )
    fields = {
        "name": check.text(data, "name", "", max_length=150),
        "purpose": check.choice(data, "purpose", "", Purpose.values, Purpose.OTHER),
        "language": check.choice(data, "language", "", list(dict(settings.LANGUAGES))),
        "description": check.text(data, "description", "", required=False),
    }
    sections_raw = data.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        check.errors.append("sections: " + _("give at least one section"))
        sections_raw = []
    sections = []
    keys = set()
    for s, raw in enumerate(sections_raw):
        where = f"sections[{s}]."
        if not isinstance(raw, dict):
            check.errors.append(where[:-1] + ": " + _("must be an object"))
            continue
        section = Section(
            key=raw.get("key") or new_key(),
            title=check.text(raw, "title", where, max_length=200),
            description=check.text(raw, "description", where, required=False),
            weight=check.integer(raw, "weight", where, 1, minimum=1),
        )
        criteria = []
        criteria_raw = raw.get("criteria")
        if not isinstance(criteria_raw, list) or not criteria_raw:
            check.errors.append(f"{where}criteria: " + _("give at least one criterion"))
            criteria_raw = []
        for c, item in enumerate(criteria_raw):
            place = f"{where}criteria[{c}]."
            if not isinstance(item, dict):
                check.errors.append(place[:-1] + ": " + _("must be an object"))
                continue
            criterion = Criterion(
                key=item.get("key") or new_key(),
                text=check.text(item, "text", place, max_length=300),
                kind=check.choice(item, "kind", place, CriterionKind.values),
                points=check.integer(item, "points", place, 1, minimum=1),
                scale_min=check.integer(item, "scale_min", place, 0),
                scale_max=check.integer(item, "scale_max", place, 5),
                options=_options(check, item.get("options", []), place),
                na_allowed=check.boolean(item, "na_allowed", place),
                critical=check.choice(item, "critical", place, CriticalScope.values, "none"),
                guideline=check.text(item, "guideline", place, required=False),
                purpose=check.text(item, "purpose", place, required=False, max_length=300),
            )
            if criterion.key in keys:
                check.errors.append(f"{place}key: " + _("appears twice"))
            keys.add(criterion.key)
            try:
                criterion_validate(criterion)
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    check.errors.extend(f"{place}{name}: {m}" for m in messages)
            criteria.append(criterion)
        sections.append((section, criteria))
    if check.errors:
        raise ImportErrors(check.errors)
    return fields, sections


@transaction.atomic
def scorecard_import(*, data: dict, author: User) -> Scorecard:
    """A new scorecard whose draft version 1 holds the document's content: the author's team's
    (the organisation's when the author sees every team)."""
    fields, sections = parse_scorecard_dict(data)
    team = None if sees_every_team(author) else author.teams.order_by("name").first()
    scorecard = Scorecard.objects.create(created_by=author, team=team, **fields)
    version = ScorecardVersion.objects.create(scorecard=scorecard, number=1, created_by=author)
    for position, (section, criteria) in enumerate(sections, start=1):
        section.version = version
        section.position = position
        section.save()
        for number, criterion in enumerate(criteria, start=1):
            criterion.section = section
            criterion.position = number
        Criterion.objects.bulk_create(criteria)
    audit_record(
        action=AuditAction.IMPORTED,
        actor=author,
        target=scorecard,
        team=team,
        details={"kind": "scorecard"},
    )
    return scorecard


# --- XLSX ------------------------------------------------------------------------------------


def xlsx_template() -> bytes:
    """An empty workbook to fill in, with one example row and the rules on its own sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    about = workbook.active
    about.title = "Scorecard"
    for row in [
        ("Field", "Value"),
        ("name", "Inbound support call"),
        ("purpose", "customer_experience"),
        ("language", "en"),
        (
            "description",
            "Every customer leaves the call with the answer and knows what happens next.",
        ),
    ]:
        about.append(row)
    criteria = workbook.create_sheet("Criteria")
    criteria.append(list(dict(XLSX_COLUMNS).values()))
    criteria.append(
        [
            "Opening",
            1,
            "Greets the customer and gives own name",
            "yes_no",
            1,
            None,
            None,
            None,
            "no",
            "none",
            "Yes when the agent says a greeting and their name in the first 10 s.",
            "A personal start builds trust.",
        ]
    )
    criteria.append(
        [
            "Resolution",
            2,
            "Information given is correct",
            "options",
            None,
            None,
            None,
            "Correct=3; Partly correct=1; Wrong=0",
            "no",
            "section",
            "Check against the knowledge base.",
            "",
        ]
    )
    rules = workbook.create_sheet("Rules")
    for row in [
        ("Column", "What to write"),
        ("Section", "Section title; rows with the same title form one section, in order."),
        ("Section weight", "Whole number ≥ 1 (the first row of a section counts). Default 1."),
        ("Kind", "yes_no, scale, options or text (text is not scored)."),
        ("Points", "Whole number ≥ 1: points for a yes, or for the top of the scale."),
        ("Scale from / to", "For kind scale: the lowest and highest value, e.g. 0 and 5."),
        ("Options", "For kind options: label=points separated by ;  e.g. Yes=2; Partly=1; No=0"),
        ("N/A allowed", "yes or no."),
        ("Critical", "none, section (failing zeroes the section) or form (zeroes all)."),
        ("purpose (sheet Scorecard)", ", ".join(Purpose.values)),
        ("language (sheet Scorecard)", ", ".join(code for code in dict(settings.LANGUAGES))),
    ]:
        rules.append(row)
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 28
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def xlsx_to_dict(content: bytes) -> dict:
    """Read a filled-in template into the JSON format, naming sheet, row and column on error."""
    workbook = _open_template(content)
    about = _about_scorecard(workbook["Scorecard"])
    rows = workbook["Criteria"].iter_rows(values_only=True)
    index = _criteria_columns(next(rows, ()))
    sections, errors = _sections_from_rows(rows, index)
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": about.get("name", ""),
        "purpose": about.get("purpose", ""),
        "language": about.get("language", ""),
        "description": about.get("description", ""),
        "sections": sections,
    }
    try:
        parse_scorecard_dict(_without_rows(document))
    except ImportErrors as problems:
        errors += [_locate_in_sheet(document, e) for e in problems.errors]
    if errors:
        raise ImportErrors(errors)
    return _without_rows(document)


def _open_template(content: bytes):
    """The workbook, once it is known to be one of at most 5 MB with both sheets."""
    from openpyxl import load_workbook

    if len(content) > XLSX_MAX_BYTES:
        raise ImportErrors([_("The file is larger than 5 MB.")])
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        raise ImportErrors([_("This is not an Excel workbook (.xlsx).")]) from None
    errors = [
        _("Sheet %(sheet)r is missing.") % {"sheet": sheet}
        for sheet in ("Scorecard", "Criteria")
        if sheet not in workbook.sheetnames
    ]
    if errors:
        raise ImportErrors(errors)
    return workbook


def _about_scorecard(sheet) -> dict[str, str]:
    """The Scorecard sheet's name/value rows below its header."""
    about = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            about[_cell_text(row[0])] = _cell_text(row[1] if len(row) > 1 else None)
    return about


def _criteria_columns(header_row) -> dict[str, int]:
    """Each known column's position in the Criteria sheet; the first four must be there."""
    header = [_cell_text(v) for v in header_row]
    expected = list(dict(XLSX_COLUMNS).values())
    missing = [label for label in expected[:4] if label not in header]
    if missing:
        raise ImportErrors(
            [
                _("Sheet 'Criteria', row 1: missing column(s) %(names)s.")
                % {"names": ", ".join(missing)}
            ]
        )
    return {name: header.index(label) for name, label in XLSX_COLUMNS if label in header}


def _sections_from_rows(rows, index: dict[str, int]) -> tuple[list[dict], list[str]]:
    """The sections of the Criteria rows (rows of one section title form one section, in
    order), each criterion marked with its row; and an error per row that cannot be read."""
    errors = []
    sections: dict[str, dict] = {}
    for number, row in enumerate(rows, start=2):
        values = {name: _cell_text(row[i]) if i < len(row) else "" for name, i in index.items()}
        if not any(values.values()):
            continue
        where = _("Sheet 'Criteria', row %(row)d") % {"row": number}
        try:
            criterion, section_title, weight = _criterion_from_row(values)
        except ValueError as error:
            errors.append(f"{where}: {error}")
            continue
        section = sections.setdefault(
            section_title, {"title": section_title, "weight": weight, "criteria": []}
        )
        criterion["_row"] = number
        section["criteria"].append(criterion)
    return list(sections.values()), errors


def _criterion_from_row(values: dict) -> tuple[dict, str, int]:
    def whole(name, default, label):
        raw = values.get(name, "")
        if raw == "":
            return default
        try:
            return int(float(raw))
        except ValueError:
            raise ValueError(
                _("%(column)s: %(value)r is not a number") % {"column": label, "value": raw}
            ) from None

    labels = dict(XLSX_COLUMNS)
    if not values.get("section"):
        raise ValueError(_("%(column)s: is required") % {"column": labels["section"]})
    options = []
    for part in filter(None, (p.strip() for p in values.get("options", "").split(";"))):
        label, sep, points = part.rpartition("=")
        if not sep or not label.strip():
            raise ValueError(
                _("%(column)s: write label=points, e.g. Yes=2; No=0 (got %(value)r)")
                % {"column": labels["options"], "value": part}
            )
        try:
            options.append({"label": label.strip(), "points": int(points)})
        except ValueError:
            raise ValueError(
                _("%(column)s: %(value)r is not a number")
                % {"column": labels["options"], "value": points}
            ) from None
    yes_no = {
        "yes": True,
        "y": True,
        "true": True,
        "1": True,
        "no": False,
        "n": False,
        "false": False,
        "0": False,
        "": False,
    }
    na_text = values.get("na_allowed", "").lower()
    if na_text not in yes_no:
        raise ValueError(_("%(column)s: write yes or no") % {"column": labels["na_allowed"]})
    criterion = {
        "text": values.get("text", ""),
        "kind": values.get("kind", ""),
        "points": whole("points", 1, labels["points"]),
        "scale_min": whole("scale_min", 0, labels["scale_min"]),
        "scale_max": whole("scale_max", 5, labels["scale_max"]),
        "options": options,
        "na_allowed": yes_no[na_text],
        "critical": values.get("critical") or "none",
        "guideline": values.get("guideline", ""),
        "purpose": values.get("purpose", ""),
    }
    return criterion, values["section"], whole("weight", 1, labels["weight"])


def _without_rows(document: dict) -> dict:
    return {
        **document,
        "sections": [
            {**s, "criteria": [{k: v for k, v in c.items() if k != "_row"} for c in s["criteria"]]}
            for s in document["sections"]
        ],
    }


def _locate_in_sheet(document: dict, error: str) -> str:
    """Turn 'sections[1].criteria[0].kind: …' into 'Sheet 'Criteria', row 7, Kind: …'."""
    match = re.match(r"sections\[(\d+)\]\.criteria\[(\d+)\]\.(\w+)[^:]*: (.*)", error)
    if not match:
        return _("Sheet 'Scorecard'") + f": {error}"
    s, c, field, message = match.groups()
    row = document["sections"][int(s)]["criteria"][int(c)]["_row"]
    column = dict(XLSX_COLUMNS).get(field, field)
    return _("Sheet 'Criteria', row %(row)d") % {"row": row} + f", {column}: {message}"
