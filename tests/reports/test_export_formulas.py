"""Formula injection (OWASP, "CSV Injection"): free text people typed (a name, an answer, a
comment, a title, a note) that starts with =, +, -, @, a tab or a carriage return is written
with a leading apostrophe in every CSV and XLSX the app offers, read back with the csv module
and openpyxl; no cell is ever a formula, and numbers, negative ones too, stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qalibrate.accounts.models import Agent, Role
from qalibrate.calibration import services
from qalibrate.calibration.models import FlagKind
from qalibrate.contacts.models import Contact
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.services import AnswerInput
from qalibrate.reports.exports import (
    report_csv,
    report_xlsx,
    safe_cell,
    table_csv,
    table_xlsx,
)
from qalibrate.reports.selectors import session_report
from qalibrate.reports.tables import COUNT, SIGNED, TEXT, Column, Table
from tests.helpers import answers, criteria

NAME = '=HYPERLINK("http://evil.example","click")'
AGENT = "+1"
NOTES = "-2+3"
CONTACT = "\r@SUM(A1)"
COMMENT = "=1+1"
TITLE = "\t=2+2"
REASON = "=3+3"  # a reason is stripped of leading white space
NOTE = "+cmd|' /C calc'!A0"
ACTION = "@SUM(1+1)*cmd|' /C calc'!A0"
# What the files write (a comment on a scored answer is in none of them; the free-text
# criterion's answer is).
PAYLOADS = [NAME, AGENT, NOTES, CONTACT, TITLE, REASON, NOTE, ACTION]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def typed(users, session, second_evaluator):
    """The session revealed after people typed text a spreadsheet would run: the evaluator's
    name, an agent's name, a contact's id, a free-text answer, a comment, the title, the reason
    of an agreed answer, a flag's note and an action."""
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    evaluator.first_name, evaluator.last_name = NAME, ""
    evaluator.save(update_fields=["first_name", "last_name"])
    session.title = TITLE
    session.save(update_fields=["title"])
    first = session.session_contacts.first()
    Contact.objects.filter(pk=first.contact_id).update(external_id=CONTACT)
    Agent.objects.filter(pk=first.contact.agent_id).update(full_name=AGENT)
    services.session_move(session=session, user=lead, action="open")
    by_text = criteria(session.version)
    for who, need in ((evaluator, "4"), (second_evaluator, "2")):
        for sc in session.session_contacts.all():
            chosen = answers(session.version, need=need, comment=COMMENT)
            chosen[by_text["Notes"].pk] = AnswerInput(NOTES)
            evaluation = evaluation_services.evaluation_start(
                contact=sc.contact, evaluator=who, version=session.version, session=session
            )
            evaluation_services.evaluation_save(evaluation=evaluation, user=who, answers=chosen)
            evaluation_services.evaluation_submit(evaluation=evaluation, user=who)
    services.session_move(session=session, user=lead, action="reveal")
    services.agreed_answer_set(
        session_contact=first,
        criterion=by_text["Greets with own name"],
        user=lead,
        answer=AnswerInput("no"),
        reason=REASON,
    )
    services.criterion_flag_set(
        session=session,
        criterion=by_text["Information is correct"],
        user=lead,
        kind=FlagKind.PROCESS,
        note=NOTE,
    )
    services.action_add(
        session=session, user=lead, description=ACTION, owner=lead, due_date=date(2031, 3, 5)
    )
    session.refresh_from_db()
    return session


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_safe_csv(content: str) -> set[str]:
    """Every cell of the CSV: none starts as a formula does, but for a number. Its cells."""
    cells = {cell for row in csv.reader(io.StringIO(content)) for cell in row}
    for cell in cells:
        assert not cell.startswith(FORMULA_START) or _is_number(cell), cell
    return cells


def assert_safe_xlsx(content: bytes) -> dict:
    """Every cell of every sheet: never a formula, text never starting as one. Values by sheet."""
    book = load_workbook(io.BytesIO(content))
    values = {}
    for sheet in book.worksheets:
        values[sheet.title] = []
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert not cell.value.startswith(FORMULA_START), (sheet.title, cell.value)
                values[sheet.title].append(cell.value)
    return values


def test_the_report_csv_writes_typed_formulas_as_text(client, users, typed):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("session_report_file", args=[typed.pk, "csv"]))
    assert response.status_code == 200
    cells = assert_safe_csv(response.content.decode())
    for payload in (NAME, AGENT, NOTES, CONTACT):
        assert "'" + payload in cells and payload not in cells
    rows = list(csv.DictReader(io.StringIO(report_csv(session_report(typed)))))
    notes = [row for row in rows if row["criterion"] == "Notes"]
    assert notes and {row["answer"] for row in notes} == {"'" + NOTES}
    assert "'" + NAME in {row["evaluator"] for row in notes}
    points = [row["points"] for row in rows if row["points"]]
    assert points and all(_is_number(p) for p in points)


def test_the_report_xlsx_writes_typed_formulas_as_text_and_numbers_as_numbers(client, users, typed):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("session_report_file", args=[typed.pk, "xlsx"]))
    assert response.status_code == 200
    values = assert_safe_xlsx(response.content)
    everywhere = {value for sheet in values.values() for value in sheet}
    for payload in PAYLOADS:
        payload = payload.replace("\r", "\n")  # XML reads a carriage return as a new line
        assert "'" + payload in everywhere, payload
        assert payload not in everywhere
    assert "'" + TITLE in values["Summary"]
    assert "'" + NAME in values["Evaluators"] and "'" + NAME in values["Raw answers"]
    assert "'" + ACTION in values["Actions"]
    # The evaluators' bias is a signed number: the strict one's is negative and stays a number.
    sheet = load_workbook(io.BytesIO(response.content))["Evaluators"]
    numbers = [c for row in sheet.iter_rows(min_row=2) for c in row if c.data_type == "n"]
    assert any(isinstance(c.value, int | float) and c.value < 0 for c in numbers)


def test_the_report_files_built_without_a_request_are_safe_too(typed):
    report = session_report(typed)
    assert_safe_csv(report_csv(report))
    assert_safe_xlsx(report_xlsx(report))


def test_safe_cell_quotes_text_and_leaves_numbers():
    for payload in PAYLOADS:
        assert safe_cell(payload) == "'" + payload
    for value in ("Polite", "", "'=already quoted", None, -2, -2.5, Decimal("-3.5"), 0, True):
        assert safe_cell(value) == value


def test_one_table_as_csv_and_xlsx():
    table = Table(
        [Column("=header"), Column("Text", TEXT), Column("Count", COUNT), Column("Bias", SIGNED)],
        [[NAME, NOTES, 3, -1.5], ["plain", "-", -2, Decimal("-0.5")]],
    )
    rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert rows == [
        ["'=header", "Text", "Count", "Bias"],
        ["'" + NAME, "'" + NOTES, "3", "-1.5"],
        ["plain", "'-", "-2", "-0.5"],
    ]
    values = assert_safe_xlsx(table_xlsx("Sheet", table))["Sheet"]
    assert values[:8] == ["'=header", "Text", "Count", "Bias", "'" + NAME, "'" + NOTES, 3, -1.5]
    sheet = load_workbook(io.BytesIO(table_xlsx("Sheet", table)))["Sheet"]
    assert [c.value for c in sheet[3]] == ["plain", "'-", -2, -0.5]
    assert [c.data_type for c in sheet[3]] == ["s", "s", "n", "n"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/history/import/template.csv", "csv"),
        ("/history/import/template.xlsx", "xlsx"),
        ("/contacts/import/template.csv", "csv"),
        ("/scorecards/import/template.xlsx", "xlsx"),
    ],
)
def test_the_import_templates_hold_no_formula(client, users, url, kind):
    client.force_login(users[Role.ADMIN])
    response = client.get(url)
    assert response.status_code == 200, url
    if kind == "csv":
        assert_safe_csv(response.content.decode("utf-8-sig"))
    else:
        assert_safe_xlsx(response.content)
