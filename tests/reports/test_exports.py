"""The report files as the meeting's record, read back: the PDF with pypdf (summary, agreed
answers, the three flags apart, actions, numbers and dates in the reader's language), the XLSX
with openpyxl (number formats, frozen headers, filters), the CSV with the free text."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.calibration.models import CalibrationSession, FlagKind
from qalibrate.contacts.models import Contact
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.services import AnswerInput
from qalibrate.notifications import services as notification_services
from qalibrate.reports.exports import report_xlsx
from qalibrate.reports.pdf import report_pdf
from qalibrate.reports.selectors import session_report
from tests.helpers import criteria
from tests.reports.helpers import REPORT_SHEETS, grown_session

LONG_ID = "CRM-2031-03-CUSTOMERSERVICE-000123456789"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def outcome(users, revealed):
    """The revealed session taken through its meeting: a reason, feedback, one criterion flagged
    only as a process problem, one as unclear, an action, and the summary."""
    lead = users[Role.QA_LEAD]
    by_text = criteria(revealed.version)
    first = revealed.session_contacts.first()
    Contact.objects.filter(pk=first.contact_id).update(external_id=LONG_ID)
    services.agreed_answer_set(
        session_contact=first,
        criterion=by_text["Greets with own name"],
        user=lead,
        answer=AnswerInput("yes"),
        reason="REASON-GREET the name is heard at 0:04",
    )
    services.contact_notes_set(
        session_contact=first, user=lead, notes="FEEDBACK-ONE say your name a little slower"
    )
    services.criterion_flag_set(
        session=revealed,
        criterion=by_text["Information is correct"],
        user=lead,
        kind=FlagKind.PROCESS,
        note="NOTE-PROCESS the knowledge base is out of date",
    )
    services.criterion_flag_set(
        session=revealed,
        criterion=by_text["Verifies identity"],
        user=lead,
        kind=FlagKind.CLARIFY,
        note="NOTE-CLARIFY what counts as verified",
    )
    services.action_add(
        session=revealed,
        user=lead,
        description="ACTION-ONE update the knowledge base",
        owner=lead,
        due_date=date(2031, 3, 5),
    )
    CalibrationSession.objects.filter(pk=revealed.pk).update(
        meeting_at=datetime(2031, 3, 4, 10, tzinfo=UTC)
    )
    revealed.refresh_from_db()
    services.session_complete(
        session=revealed, user=lead, summary="SUMMARY-TEXT we agreed what a greeting is."
    )
    revealed.refresh_from_db()
    return revealed


def flag_row(text: str, criterion: str) -> str:
    """The flagged-criteria table's row of a criterion: its three columns and its note."""
    section = text[text.index("Flagged criteria") : text.index("Contacts: agreed answers")]
    return section[section.index(criterion) :][:160]


@pytest.mark.slow
def test_the_pdf_is_the_record_of_the_meeting(client, users, outcome):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("session_report_file", args=[outcome.pk, "pdf"]))
    text = pdf_text(response.content)
    assert "SUMMARY-TEXT we agreed what a greeting is." in text
    first = outcome.session_contacts.get(contact__external_id=LONG_ID)
    assert f"Agreed score: {first.agreed_score:.1f}" in text
    assert "REASON-GREET the name is heard at 0:04" in text
    assert "FEEDBACK-ONE say your name a little slower" in text
    # The action with its owner and due date.
    actions = text[text.index("Follow-up actions") : text.index("Flagged criteria")]
    assert "ACTION-ONE update the knowledge base" in actions
    assert str(users[Role.QA_LEAD]) in actions and "2031-03-05" in actions
    # Shares as percentages, never as fractions.
    assert "76% Scores within tolerance" in text
    assert "0.76" not in text and "tolerance 0.7" not in text


@pytest.mark.slow
def test_the_three_flags_are_separate_columns(outcome):
    report = session_report(outcome)
    by_text = {row.criterion.text: row for row in report.criteria}
    process_only = by_text["Information is correct"]
    # The case the old single column got wrong: only a process problem, agreement is fine.
    assert process_only.process_problem and not process_only.needs_clarification
    assert not process_only.low_agreement
    text = pdf_text(report_pdf(report))
    assert flag_row(text, "Information is correct").startswith(
        "Information is correct No Yes No NOTE-PROCESS"
    )
    clarify = by_text["Verifies identity"]
    low = "Yes" if clarify.low_agreement else "No"
    assert flag_row(text, "Verifies identity").startswith(f"Verifies identity Yes No {low}")
    # A criterion nobody flagged and everyone agreed on is not in the flags table.
    section = text[text.index("Flagged criteria") : text.index("Contacts: agreed answers")]
    for row in report.criteria:
        assert (row.criterion.text in section) == row.flagged


def test_the_xlsx_has_the_flags_apart_with_number_formats(client, users, outcome):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("session_report_file", args=[outcome.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == REPORT_SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=2)}
    within = summary["Scores within tolerance"]
    assert within.value == pytest.approx(13 / 17) and "%" in within.number_format
    assert summary["Summary of the meeting"].value == "SUMMARY-TEXT we agreed what a greeting is."
    assert summary["Meeting"].is_date and summary["Meeting"].value.date() == date(2031, 3, 4)

    criteria = book["Criteria"]
    headers = [cell.value for cell in criteria[1]]
    flags = [headers.index(h) for h in ("Needs clarification", "Process problem", "Low agreement")]
    rows = {row[0].value: row for row in criteria.iter_rows(min_row=2)}
    assert [rows["Information is correct"][i].value for i in flags] == ["No", "Yes", "No"]
    agreement = rows["Information is correct"][headers.index("Agreement")]
    assert isinstance(agreement.value, int | float) and "%" in agreement.number_format
    assert rows["Verifies identity"][flags[0]].value == "Yes"
    assert criteria.column_dimensions["A"].width >= len("Information is correct")

    evaluators = book["Evaluators"]
    matches = [c.value for c in evaluators[1]].index("Matches the agreed answer")
    assert all("%" in row[matches].number_format for row in evaluators.iter_rows(min_row=2))
    deviation = evaluators.cell(2, 3)
    assert isinstance(deviation.value, float) and deviation.number_format == "0.0"

    (action,) = list(book["Actions"].iter_rows(min_row=2))
    assert action[0].value == "ACTION-ONE update the knowledge base"
    assert action[1].value == str(users[Role.QA_LEAD])
    assert action[2].is_date and action[2].value.date() == date(2031, 3, 5)

    agreed = [[c.value for c in row] for row in book["Agreed answers"].iter_rows(min_row=2)]
    greet = next(r for r in agreed if r[1] == LONG_ID and r[3] == "Greets with own name")
    assert greet[5] == "Yes" and greet[6] == "REASON-GREET the name is heard at 0:04"
    assert greet[7] == "FEEDBACK-ONE say your name a little slower"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("language", "due", "meeting"),
    [("ru", "05.03.2031", "4 марта 2031"), ("sv", "2031-03-05", "4 mars 2031")],
)
def test_the_pdf_writes_numbers_and_dates_in_the_readers_language(outcome, language, due, meeting):
    report = session_report(outcome)
    alpha = report.discussion.totals.alpha.estimate
    with translation.override(language):
        text = pdf_text(report_pdf(session_report(outcome)))
    assert due in text and meeting in text
    assert f"{alpha:.2f}".replace(".", ",") in text
    assert f"{alpha:.2f}" not in text
    assert "76%" in text


@pytest.mark.slow
def test_the_emailed_pdf_is_in_the_recipients_language(users, outcome, second_evaluator):
    # The summary went out when the session was completed: send it now, one in Russian.
    second_evaluator.language = "ru"
    second_evaluator.save(update_fields=["language"])
    notification_services.deliver_pending()
    (attachment,) = [
        a
        for m in mail.outbox
        if second_evaluator.email in m.to
        for a in m.attachments
        if a[0].endswith(".pdf")
    ]
    text = pdf_text(attachment[1])
    assert "05.03.2031" in text and "SUMMARY-TEXT" in text


@pytest.mark.slow
def test_ids_are_never_broken_in_the_middle(outcome):
    text = pdf_text(report_pdf(session_report(outcome)))
    # The heading of the contact and the contacts table both hold it whole.
    assert text.count(LONG_ID) >= 2
    assert not re.search(r"CRM-2031-03-\S*\s+\S*000123456789", text.replace(LONG_ID, ""))


@pytest.mark.slow
def test_the_anonymous_pdf_names_no_evaluator(users, outcome, second_evaluator, third_evaluator):
    text = pdf_text(report_pdf(session_report(outcome, anonymous=True)))
    for person in (users[Role.EVALUATOR], second_evaluator, third_evaluator):
        assert str(person) not in text
    assert "Evaluator A" in text and "SUMMARY-TEXT" in text


@pytest.mark.slow
def test_before_completion_the_pdf_says_there_is_no_summary_yet(revealed):
    text = pdf_text(report_pdf(session_report(revealed)))
    assert "No summary yet" in text and "No follow-up actions." in text


def test_the_csv_stays_the_raw_matrix_with_free_text(client, users, session):
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_move(session=session, user=lead, action="open")
    contact = session.session_contacts.first().contact
    by_text = criteria(session.version)
    evaluation = evaluation_services.evaluation_start(
        contact=contact, evaluator=evaluator, version=session.version, session=session
    )
    evaluation_services.evaluation_save(
        evaluation=evaluation,
        user=evaluator,
        answers={
            by_text["Greets with own name"].pk: AnswerInput("yes"),
            by_text["Verifies identity"].pk: AnswerInput("yes"),
            by_text["Understands the need"].pk: AnswerInput("4"),
            by_text["Information is correct"].pk: AnswerInput("Correct"),
            by_text["Notes"].pk: AnswerInput('Polite, "quick"; 2 holds'),
        },
    )
    evaluation_services.evaluation_submit(evaluation=evaluation, user=evaluator)
    services.session_move(session=session, user=lead, action="reveal")
    client.force_login(lead)
    response = client.get(reverse("session_report_file", args=[session.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["contact", "agent", "criterion", "evaluator", "answer", "points"]
    notes = [r for r in rows if r["criterion"] == "Notes"]
    assert notes == [
        {
            "contact": contact.external_id,
            "agent": str(contact.agent),
            "criterion": "Notes",
            "evaluator": str(evaluator),
            "answer": 'Polite, "quick"; 2 holds',
            "points": "",
        }
    ]
    assert len(rows) == 5


@pytest.mark.slow
def test_the_pdf_and_xlsx_make_the_same_number_of_queries_whatever_the_size(
    client, users, team, version
):
    small = grown_session(users, team, version, contacts=5, evaluators=2)
    large = grown_session(users, team, version, contacts=8, evaluators=4)
    client.force_login(users[Role.QA_LEAD])
    counts = {}
    for session in (small, large):
        for file_format in ("pdf", "xlsx"):
            url = reverse("session_report_file", args=[session.pk, file_format])
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts[(session.pk, file_format)] = len(queries)
    assert counts[(small.pk, "pdf")] == counts[(large.pk, "pdf")]
    assert counts[(small.pk, "xlsx")] == counts[(large.pk, "xlsx")]


def test_report_xlsx_reads_back_without_a_request(outcome):
    """The files are built from the report alone (the e-mail builds the PDF the same way)."""
    book = load_workbook(io.BytesIO(report_xlsx(session_report(outcome))))
    assert book["Contacts"].cell(1, 3).value == "Agreed score"
