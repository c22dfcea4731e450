"""Importing past sessions from a spreadsheet: good files make completed sessions and their
history records; every bad file is refused with its problem named, and writes nothing."""

import csv
import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Agent, Role
from qalibrate.calibration.models import (
    AgreedAnswer,
    CalibrationSession,
    SessionContact,
    SessionStatus,
)
from qalibrate.contacts.models import Channel, Contact
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationStatus
from qalibrate.history import import_checks, import_files
from qalibrate.history.import_checks import KNOWN_COLUMNS
from qalibrate.history.importing import ImportRejected, history_apply
from qalibrate.history.models import EvaluatorRecord, Ruling, SessionRecord
from qalibrate.scorecards import services as scorecards
from tests.factories import ContactFactory, UserFactory

COLUMNS = [
    "session_date",
    "team",
    "scorecard",
    "version",
    "external_id",
    "criterion",
    "evaluator",
    "answer",
    "agreed_answer",
    "reason",
    "title",
]
# Each evaluator's answers to the four scored criteria of build_scorecard's form.
AGREED = {
    "Greets with own name": "yes",
    "Verifies identity": "yes",
    "Understands the need": "3",
    "Information is correct": "Correct",
}
# Greeting 1 of 1 and identity 2 of 2; the need 3/5 of 4 points and the information 3 of 3.
AGREED_SCORE = 100 * (1 + 2 * (3 / 5 * 4 + 3) / 7) / 3


def day(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


def session_rows(when, title, contacts, *, lenient="second", reason="The name came late."):
    """Three evaluators on the contacts; the lenient one answers 5 for the need, where the
    others and the agreed answer say 3."""
    rows = []
    for contact in contacts:
        for evaluator in ("evaluator", "second@example.com", "third"):
            for criterion, agreed in AGREED.items():
                answer = agreed
                if criterion == "Understands the need" and evaluator.startswith(lenient):
                    answer = "5"
                rows.append(
                    {
                        "session_date": when.isoformat(),
                        "team": "Customer support",
                        "scorecard": "Inbound support call",
                        "version": "1",
                        "external_id": contact,
                        "criterion": criterion,
                        "evaluator": evaluator,
                        "answer": answer,
                        "agreed_answer": agreed,
                        "reason": reason if criterion == "Understands the need" else "",
                        "title": title,
                    }
                )
    return rows


def good_rows():
    return session_rows(day(40), "January calibration", ["H-1", "H-2"]) + session_rows(
        day(20), "February calibration", ["H-3", "H-1"]
    )


def csv_bytes(rows, columns=COLUMNS, *, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode("utf-8")


def check(data: bytes, user, filename="history.csv"):
    return import_files.file_check(file=io.BytesIO(data), filename=filename, user=user)


def apply(data: bytes, user, filename="history.csv"):
    return import_files.file_apply(file=io.BytesIO(data), filename=filename, user=user)


def nothing_written():
    assert not CalibrationSession.objects.exists()
    assert not SessionRecord.objects.exists()
    assert not Evaluation.objects.exists()
    assert not Contact.objects.filter(external_id__startswith="H-").exists()
    assert not Agent.objects.filter(employee_id__startswith="history-import-").exists()


@pytest.fixture
def lead(users):
    return users[Role.QA_LEAD]


@pytest.fixture
def people(users, version, second_evaluator, third_evaluator):
    """The evaluators the files name, and the published version they score on."""
    return users


# --- good files ---------------------------------------------------------------------------------


def test_a_good_csv_makes_completed_sessions_and_their_history(people, lead, second_evaluator):
    report = check(csv_bytes(good_rows()), lead)
    assert report.ok, report.errors
    assert (report.session_count, report.new_contacts, report.total_rows) == (2, 3, 48)
    assert not CalibrationSession.objects.exists()  # the check writes nothing

    applied = apply(csv_bytes(good_rows()), lead)

    sessions = list(CalibrationSession.objects.order_by("meeting_at"))
    assert [s.title for s in sessions] == ["January calibration", "February calibration"]
    assert applied.created == [s.pk for s in sessions]
    first = sessions[0]
    assert first.status == SessionStatus.COMPLETED and first.completed_at
    assert first.facilitator == lead and float(first.tolerance) == 5
    noon = datetime.combine(day(40), time(12), tzinfo=ZoneInfo(lead.time_zone))
    assert first.meeting_at == noon
    assert set(first.participants.values_list("user__username", flat=True)) == {
        "evaluator",
        "second",
        "third",
    }
    assert [sc.contact.external_id for sc in first.session_contacts.all()] == ["H-1", "H-2"]
    assert SessionContact.objects.filter(session=first).first().agreed_score == pytest.approx(
        AGREED_SCORE
    )
    evaluations = Evaluation.objects.filter(session=first)
    assert evaluations.count() == 6
    assert all(e.status == EvaluationStatus.SUBMITTED for e in evaluations)
    assert {round(e.score, 2) for e in evaluations} == {round(AGREED_SCORE, 2), 100.0}
    assert Answer.objects.filter(evaluation__session=first).count() == 24
    reasons = AgreedAnswer.objects.filter(session_contact__session=first).exclude(reason="")
    assert {a.reason for a in reasons} == {"The name came late."}

    # A contact met in both sessions is created once, for the team, on its first day.
    assert Contact.objects.filter(external_id__startswith="H-").count() == 3
    contact = Contact.objects.get(external_id="H-1")
    assert contact.channel == Channel.CALL and contact.team.name == "Customer support"
    assert timezone.localtime(contact.occurred_at, ZoneInfo(lead.time_zone)).date() == day(40)

    records = list(SessionRecord.objects.order_by("held_on"))
    assert [r.held_on for r in records] == [day(40), day(20)]
    assert all(r.imported and r.evaluator_count == 3 and r.contact_count == 2 for r in records)
    biases = {
        row.evaluator.username: row.bias
        for row in EvaluatorRecord.objects.filter(record=records[0]).select_related("evaluator")
    }
    assert biases["evaluator"] == pytest.approx(0) and biases["third"] == pytest.approx(0)
    assert biases["second"] == pytest.approx(100 - AGREED_SCORE)
    # The reason makes the need's agreed answer a ruling, though two of three gave it.
    assert Ruling.objects.filter(reason="The name came late.").count() == 4


def test_a_good_xlsx_is_imported_with_its_dates_numbers_and_text(people, lead):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    header = ["Session date", "Team", "Scorecard", "Version", "External ID", "Criterion"]
    sheet.append([*header, "Evaluator", "Answer", "Agreed answer", "Reason", "Tolerance"])
    for row in session_rows(day(30), "", ["H-7", "H-8"], reason=""):
        sheet.append(
            [
                datetime.combine(day(30), time()),  # a date cell
                row["team"],
                row["scorecard"],
                1,  # a number cell
                row["external_id"],
                row["criterion"],
                row["evaluator"],
                int(row["answer"]) if row["answer"].isdigit() else row["answer"],
                row["agreed_answer"].upper()
                if row["agreed_answer"] == "yes"
                else row["agreed_answer"],
                None,
                2.5,
            ]
        )
    # A cell that looks like a formula is text, kept as written.
    sheet.cell(row=2, column=10).value = '=HYPERLINK("http://example.com","x")'
    sheet.cell(row=2, column=10).data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = apply(buffer.getvalue(), lead, filename="history.xlsx")

    assert report.ok and report.session_count == 1
    session = CalibrationSession.objects.get()
    assert session.title == f"Inbound support call {day(30).isoformat()}"
    assert float(session.tolerance) == 2.5
    assert SessionRecord.objects.get().imported
    greeting = AgreedAnswer.objects.filter(criterion__text="Greets with own name")
    assert set(greeting.values_list("value", flat=True)) == {"yes"}
    assert AgreedAnswer.objects.filter(reason='=HYPERLINK("http://example.com","x")').count() == 1


def test_semicolons_na_any_case_and_formula_looking_text(people, lead):
    rows = good_rows()[:24]
    for row in rows:
        if row["criterion"] == "Information is correct":
            row["answer"] = row["agreed_answer"] = "n/a"
        if row["criterion"] == "Verifies identity":
            row["answer"] = "YES"
            row["reason"] = "=SUM(A1:A9)"  # looks like a formula: kept as the text it is
    report = apply(csv_bytes(rows, delimiter=";"), lead)
    assert report.ok
    identity = AgreedAnswer.objects.filter(criterion__text="Verifies identity")
    assert set(identity.values_list("reason", flat=True)) == {"=SUM(A1:A9)"}
    info = Answer.objects.filter(criterion__text="Information is correct")
    assert info.count() == 6 and all(a.is_na and a.value == "" for a in info)


# --- bad files: each problem named, nothing written ----------------------------------------------


def changed(row_index: int, **values):
    rows = good_rows()
    rows[row_index].update(values)
    return rows


BAD = {
    "unknown team": (
        changed(0, team="Sales"),
        (2, "team", "No team is called Sales."),
    ),
    "unknown criterion": (
        changed(0, criterion="Smiles"),
        (
            2,
            "criterion",
            "Inbound support call v1 has no criterion with the key or the text Smiles.",
        ),
    ),
    "unknown evaluator": (
        changed(0, evaluator="nobody@example.com"),
        (2, "evaluator", "No user has the username or e-mail nobody@example.com."),
    ),
    "agent as evaluator": (
        changed(0, evaluator="agent"),
        (2, "evaluator", "agent is an agent's account"),
    ),
    "scale answer out of range": (
        changed(2, answer="7"),
        (
            4,
            "answer",
            "Understands the need: 7 is not a possible answer. Possible answers: 0, 1, 2, 3, 4, 5.",
        ),
    ),
    "yes or no answer": (
        changed(0, agreed_answer="maybe"),
        (
            2,
            "agreed_answer",
            "Greets with own name: maybe is not a possible answer. Possible answers: yes, no.",
        ),
    ),
    "N/A where it is not allowed": (
        changed(1, answer="N/A"),
        (3, "answer", "Verifies identity: N/A is not allowed."),
    ),
    "free-text criterion": (
        changed(0, criterion="Notes"),
        (2, "criterion", "“Notes” takes free text and is not scored; leave its rows out."),
    ),
    "bad date": (
        changed(0, session_date="31.02.2026"),
        (2, "session_date", "31.02.2026 is not a date; write e.g. 2026-03-02 or 02.03.2026."),
    ),
    "future date": (
        changed(0, session_date=(timezone.localdate() + timedelta(days=3)).isoformat()),
        (2, "session_date", "is in the future; only past sessions can be imported."),
    ),
    "conflicting agreed answers": (
        changed(4, agreed_answer="no"),  # the second evaluator's greeting of the first contact
        (6, "agreed_answer", "The agreed answer differs from the one in row 2 (yes)"),
    ),
    "conflicting reasons": (
        changed(6, reason="Something else."),
        (8, "reason", "The reason differs from the one in row 4"),
    ),
    "the same answer twice": (
        changed(4, evaluator="evaluator"),
        (6, "evaluator", "evaluator already answered this criterion for this contact"),
    ),
    "unknown scorecard version": (
        changed(0, version="3"),
        (2, "version", "The scorecard Inbound support call has no version 3."),
    ),
    "formula-looking answer is text": (
        changed(0, answer="=1+1"),
        (2, "answer", "Greets with own name: =1+1 is not a possible answer."),
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_row_is_reported_and_nothing_is_written(people, lead, case):
    rows, (row, column, message) = BAD[case]
    report = check(csv_bytes(rows), lead)
    assert not report.ok
    assert any(
        (e.row, e.column) == (row, column) and message in e.message for e in report.errors
    ), report.errors
    with pytest.raises(ImportRejected) as rejected:
        apply(csv_bytes(rows), lead)
    assert rejected.value.report.error_count == report.error_count
    nothing_written()


def test_a_single_evaluator_is_refused(people, lead):
    rows = [r for r in good_rows() if not (r["external_id"] == "H-2" and r["evaluator"] != "third")]
    report = check(csv_bytes(rows), lead)
    problems = [(e.row, e.column) for e in report.errors]
    assert len(problems) == 4 and {column for _row, column in problems} == {"evaluator"}
    assert "Only one evaluator answered “Greets with own name” for the contact H-2" in (
        report.errors[0].message
    )
    with pytest.raises(ImportRejected):
        apply(csv_bytes(rows), lead)
    nothing_written()


def test_missing_columns_are_named(people, lead):
    columns = [c for c in COLUMNS if c not in ("agreed_answer", "evaluator")]
    report = check(csv_bytes(good_rows(), columns), lead)
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert report.errors[0].message.startswith(
        "Required columns are missing: evaluator, agreed_answer."
    )
    with pytest.raises(ImportRejected):
        apply(csv_bytes(good_rows(), columns), lead)
    nothing_written()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"\n;;\n", "The file is empty."),
        (",".join(COLUMNS).encode() + b"\n", "The file contains no answers."),
    ],
)
def test_an_empty_file_is_refused(people, lead, data, message):
    report = check(data, lead)
    assert [e.message for e in report.errors] == [message]
    with pytest.raises(ImportRejected):
        apply(data, lead)
    nothing_written()


def test_other_file_kinds_are_refused(people, lead):
    report = check(b"{}", lead, filename="history.json")
    assert report.errors[0].message == "Only CSV and XLSX files can be imported."


def test_importing_the_same_file_again_is_refused(people, lead):
    apply(csv_bytes(good_rows()), lead)
    before = (CalibrationSession.objects.count(), Evaluation.objects.count())

    report = check(csv_bytes(good_rows()), lead)
    duplicates = [e for e in report.errors if e.column == "session_date"]
    assert [e.row for e in duplicates] == [2, 26]
    assert "was imported before; it is not imported twice" in duplicates[0].message
    with pytest.raises(ImportRejected):
        apply(csv_bytes(good_rows()), lead)
    assert (CalibrationSession.objects.count(), Evaluation.objects.count()) == before


def test_a_contact_known_already_is_used_and_new_agents_come_from_the_file(people, lead, team):
    known = ContactFactory(external_id="H-1", channel=Channel.CHAT)
    rows = good_rows()
    for row in rows:
        if row["external_id"] == "H-2":
            row.update(agent_id="EMP-9", agent_name="Nora Lind", channel="ticket")
    report = apply(csv_bytes(rows, [*COLUMNS, "agent_id", "agent_name", "channel"]), lead)
    assert report.new_contacts == 2 and report.new_agents[0] == "Nora Lind (EMP-9)"
    known.refresh_from_db()
    assert known.channel == Channel.CHAT  # a known contact is left as it is
    nora = Contact.objects.get(external_id="H-2")
    assert (nora.agent.full_name, nora.channel) == ("Nora Lind", Channel.TICKET)
    placeholder = Contact.objects.get(external_id="H-3").agent
    assert placeholder.employee_id == f"history-import-{team.pk}" and not placeholder.is_active
    # The next file's new contacts go to the same placeholder agent.
    more = session_rows(day(10), "March calibration", ["H-4", "H-5"])
    apply(csv_bytes(more), lead)
    assert Contact.objects.get(external_id="H-4").agent == placeholder


def test_an_unknown_agent_needs_a_name(people, lead):
    rows = good_rows()
    rows[0]["agent_id"] = "EMP-404"
    report = check(csv_bytes(rows, [*COLUMNS, "agent_id"]), lead)
    assert [(e.row, e.column) for e in report.errors] == [(2, "agent_id")]


def test_a_draft_version_is_refused(people, lead, version):
    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    rows = good_rows()
    rows[0]["version"] = str(draft.number)
    report = check(csv_bytes(rows), lead)
    assert any(e.column == "version" and "is a draft" in e.message for e in report.errors)


def test_the_number_of_rows_is_limited(people, lead, monkeypatch):
    monkeypatch.setattr(import_checks, "MAX_ROWS", 10)
    report = check(csv_bytes(good_rows()), lead)
    assert [e.message for e in report.errors] == [
        "The file has more than 10 rows; split it into smaller files."
    ]


def test_only_qa_staff_may_apply(people, users):
    with pytest.raises(PermissionDenied):
        history_apply(records=None, user=users[Role.EVALUATOR])
    nothing_written()


# --- the page -----------------------------------------------------------------------------------


def upload(client, data: bytes, name="history.csv"):
    return client.post(reverse("history_import"), {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    "role, status",
    [(Role.ADMIN, 200), (Role.QA_LEAD, 200), (Role.EVALUATOR, 403), (Role.AGENT, 403)],
)
def test_the_page_per_role(client, people, users, role, status):
    client.force_login(users[role])
    assert client.get(reverse("history_import")).status_code == status
    template = client.get(reverse("history_import_template", args=["csv"]))
    assert template.status_code == status
    assert upload(client, csv_bytes(good_rows())).status_code == (302 if status == 200 else 403)
    if status == 403:
        nothing_written()


def test_anonymous_is_sent_to_log_in(client, people):
    for url in (
        reverse("history_import"),
        reverse("history_import_template", args=["xlsx"]),
        reverse("history_import_report", args=["abc"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("history_import_apply", args=["abc"])).status_code == 302
    nothing_written()


def test_upload_report_apply_done(client, people, lead):
    client.force_login(lead)
    response = upload(client, csv_bytes(good_rows()))
    assert response.status_code == 302
    report_url = response["Location"]
    page = client.get(report_url).content.decode()
    assert "January calibration" in page and "Apply the import" in page
    assert not CalibrationSession.objects.exists()

    token = report_url.rstrip("/").rsplit("/", 1)[-1]
    done = client.post(reverse("history_import_apply", args=[token]), follow=True)
    text = done.content.decode()
    assert "Imported 2 past sessions." in text
    assert CalibrationSession.objects.count() == 2
    for session in CalibrationSession.objects.all():
        assert reverse("session_report", args=[session.pk]) in text
    # Applying the same check again does nothing more.
    client.post(reverse("history_import_apply", args=[token]))
    assert CalibrationSession.objects.count() == 2


def test_a_bad_upload_shows_its_problems_and_no_apply_button(client, people, lead):
    client.force_login(lead)
    response = upload(client, csv_bytes(changed(0, team="Sales")), name="bad.csv")
    page = client.get(response["Location"]).content.decode()
    assert "No team is called Sales." in page and "Apply the import" not in page
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("history_import_apply", args=[token]))
    nothing_written()


def test_another_users_check_cannot_be_applied(client, people, lead, users):
    client.force_login(lead)
    token = upload(client, csv_bytes(good_rows()))["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.force_login(users[Role.ADMIN])
    assert client.post(reverse("history_import_apply", args=[token])).status_code == 404
    nothing_written()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads_and_reads_back(client, people, lead, file_format):
    client.force_login(lead)
    response = client.get(reverse("history_import_template", args=[file_format]))
    assert response.status_code == 200
    assert f"qalibrate-past-sessions-template.{file_format}" in response["Content-Disposition"]
    with import_files.records_open(
        file=io.BytesIO(response.content), filename=f"template.{file_format}"
    ) as records:
        assert records.columns == KNOWN_COLUMNS
        rows = list(records.rows)
    assert len(rows) == 1
    _row, example, problem = rows[0]
    assert problem == "" and example["criterion"] == "Greets with own name"
    assert str(example["session_date"]).startswith("2026-03-02")
    # The example names this organisation's team and scorecard; only its evaluator is made up.
    report = check(response.content, lead, filename=f"template.{file_format}")
    assert [(e.row, e.column) for e in report.errors] == [(2, "evaluator")]


def test_an_unknown_template_format_is_not_found(client, people, lead):
    client.force_login(lead)
    assert client.get(reverse("history_import_template", args=["pdf"])).status_code == 404


def test_a_shared_e_mail_names_nobody(people, lead):
    """A user is named by username or e-mail; two accounts sharing an e-mail are named by
    neither."""
    UserFactory(username="twin", email="second@example.com")
    report = check(csv_bytes(good_rows()), lead)
    assert any(
        "Several users have the e-mail second@example.com" in e.message for e in report.errors
    )
