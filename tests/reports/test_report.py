"""The calibration report page and its files, opened back with real readers."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import Participant
from tests.factories import UserFactory
from tests.helpers import score_as
from tests.reports.helpers import REPORT_SHEETS, grown_session, pingouin_icc_of_totals


def fetch(client, user, name, session, *args, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=[session.pk, *args]) + query)


@pytest.mark.slow
@pytest.mark.parametrize("file_format", ["", "csv", "xlsx", "pdf"])
def test_who_may_see_the_report(client, users, session, second_evaluator, file_format):
    name, args = ("session_report_file", [file_format]) if file_format else ("session_report", [])
    lead = users[Role.QA_LEAD]
    services.session_move(session=session, user=lead, action="open")
    score_as(users[Role.EVALUATOR], session, session.session_contacts.first().contact)
    # Blind scoring: nobody, not even the QA lead, gets the report before the reveal.
    assert fetch(client, lead, name, session, *args).status_code == 403
    services.session_move(session=session, user=lead, action="reveal")
    expected = {
        users[Role.ADMIN]: 200,
        lead: 200,
        users[Role.EVALUATOR]: 200,
        users[Role.AGENT]: 403,  # an observer: never who scored what
        UserFactory(role=Role.EVALUATOR): 404,
    }
    for user, status in expected.items():
        assert fetch(client, user, name, session, *args).status_code == status, user.role


@pytest.mark.slow
def test_the_page_shows_the_figures_and_charts(client, users, revealed, second_evaluator):
    page = fetch(client, users[Role.QA_LEAD], "session_report", revealed).content.decode()
    result = meeting_selectors.discussion(revealed)
    assert "Not calibrated" in page
    assert f"{result.share_within * 100:.0f}%" in page
    main = page[page.index('<main id="main"') :]  # the top bar has the bell's icon
    assert main.count("<svg") == 3
    assert str(second_evaluator) in page
    anonymous = fetch(
        client, users[Role.QA_LEAD], "session_report", revealed, query="?anonymous=1"
    ).content.decode()
    assert str(second_evaluator) not in anonymous and "Evaluator A" in anonymous


def test_csv_holds_every_answer_with_its_points(client, users, revealed):
    response = fetch(client, users[Role.QA_LEAD], "session_report_file", revealed, "csv")
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # 17 submitted evaluations × 4 scored criteria (the draft stays out).
    assert len(rows) == 17 * 4
    first = str(users[Role.EVALUATOR])
    c0 = revealed.session_contacts.first().contact.external_id
    mine = {r["criterion"]: r for r in rows if r["contact"] == c0 and r["evaluator"] == first}
    assert mine["Understands the need"]["answer"] == "3"
    assert float(mine["Understands the need"]["points"]) == pytest.approx(4 * 3 / 5)
    assert mine["Information is correct"]["points"] == "3"
    na = [r for r in rows if r["answer"] == "N/A"]
    assert len(na) == 2 and all(r["points"] == "" for r in na)


def test_xlsx_sheets_match_the_figures(client, users, revealed):
    response = fetch(client, users[Role.QA_LEAD], "session_report_file", revealed, "xlsx")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == REPORT_SHEETS
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    result = meeting_selectors.discussion(revealed)
    assert summary["Calibrated"] == "No"
    assert summary["Scores within tolerance"] == pytest.approx(13 / 17, abs=1e-4)
    assert summary["Alpha of the totals"] == pytest.approx(result.totals.alpha.estimate, abs=1e-4)
    assert summary["Answers"] == 68
    headers, *rows = book["Evaluators"].iter_rows(values_only=True)
    mine = next(r for r in rows if r[0] == str(users[Role.EVALUATOR]))
    first = dict(zip(headers, mine, strict=True))
    expected = next(r for r in result.evaluators if r.user == users[Role.EVALUATOR])
    assert first["Mean deviation"] == pytest.approx(expected.deviation.mean_abs, abs=0.01)
    assert first["Within tolerance"] == "No"
    assert len(list(book["Raw answers"].iter_rows(min_row=2))) == 68


@pytest.mark.slow
def test_pdf_reads_back(client, users, revealed):
    response = fetch(client, users[Role.QA_LEAD], "session_report_file", revealed, "pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Calibration report: March calibration" in text
    assert str(users[Role.EVALUATOR]) in text
    assert "Understands the need" in text
    result = meeting_selectors.discussion(revealed)
    assert f"{result.totals.alpha.estimate:.2f}" in text


@pytest.mark.slow
def test_pdf_in_russian(client, users, revealed, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = fetch(client, users[Role.QA_LEAD], "session_report_file", revealed, "pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Отчёт о калибровке: March calibration" in text and "Оценщики" in text


@pytest.mark.slow
def test_the_report_makes_the_same_number_of_queries_whatever_the_size(
    client, users, team, version
):
    small = grown_session(users, team, version, contacts=5, evaluators=2)
    large = grown_session(users, team, version, contacts=10, evaluators=6)
    client.force_login(users[Role.QA_LEAD])
    counts = {}
    for session in (small, large):
        for name, args in (("session_report", []), ("session_report_file", ["xlsx"])):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name, args=[session.pk, *args])).status_code == 200
            counts[(session.pk, name)] = len(queries)
    assert counts[(small.pk, "session_report")] == counts[(large.pk, "session_report")]
    assert counts[(small.pk, "session_report_file")] == counts[(large.pk, "session_report_file")]
    assert counts[(large.pk, "session_report")] < 30


def test_participants_added_late_count_as_did_not_score(client, users, revealed):
    late = UserFactory(role=Role.EVALUATOR)
    Participant.objects.create(session=revealed, user=late)
    page = fetch(client, users[Role.QA_LEAD], "session_report", revealed).content.decode()
    assert str(late) in page


def test_icc_of_complete_panels_against_pingouin(client, users, team, version):
    session = grown_session(users, team, version, contacts=5, evaluators=3)
    result = meeting_selectors.discussion(session)
    oracle = pingouin_icc_of_totals(result)
    expected = dict(zip(oracle["Type"], oracle["ICC"], strict=True))
    assert result.totals.icc["ICC2"] == pytest.approx(expected["ICC(A,1)"], abs=1e-9)  # ICC2 = A,1
    response = fetch(client, users[Role.QA_LEAD], "session_report_file", session, "xlsx")
    summary = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(response.content))["Summary"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert summary["ICC(2,1) of the totals"] == pytest.approx(expected["ICC(A,1)"], abs=1e-4)
    page = fetch(client, users[Role.QA_LEAD], "session_report", session).content.decode()
    assert f"ICC(2,1) {expected['ICC(A,1)']:.2f}" in page
