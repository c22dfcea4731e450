"""Importing past sessions in a real browser: a bad file's report, then a good file applied."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.calibration.models import CalibrationSession
from qalibrate.history.models import SessionRecord

COLUMNS = ["session_date", "team", "scorecard", "version", "external_id", "criterion"]
COLUMNS += ["evaluator", "answer", "agreed_answer", "reason", "title"]
CRITERIA = {
    "Greets with own name": "yes",
    "Verifies identity": "yes",
    "Understands the need": "3",
    "Information is correct": "Correct",
}


def history_csv(*, team="Customer support") -> str:
    when = (timezone.localdate() - timedelta(days=30)).isoformat()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for contact in ("OLD-1", "OLD-2"):
        for evaluator in ("evaluator", "second"):
            for criterion, agreed in CRITERIA.items():
                lenient = evaluator == "second" and criterion == "Understands the need"
                writer.writerow(
                    [when, team, "Inbound support call", "1", contact, criterion, evaluator]
                    + ["5" if lenient else agreed, agreed, "Heard twice." if lenient else ""]
                    + ["Spring calibration"]
                )
    return buffer.getvalue()


def test_import_past_sessions_report_then_apply(
    page, transactional_db, users, version, second_evaluator, screenshot, tmp_path
):
    log_in(page, users[Role.QA_LEAD])

    bad = tmp_path / "bad.csv"
    bad.write_text(history_csv(team="Sales"), encoding="utf-8")
    page.goto("/history/import/")
    screenshot(page, "history-import-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download an XLSX template").click()
    assert download.value.suggested_filename == "qalibrate-past-sessions-template.xlsx"
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("h1:has-text('Import report')")
    text = page.locator("main").inner_text()
    assert "Nothing will be imported" in text and "No team is called Sales." in text
    assert page.get_by_role("button", name="Apply the import").count() == 0
    screenshot(page, "history-import-report-errors-en")
    assert not CalibrationSession.objects.exists()

    good = tmp_path / "good.csv"
    good.write_text(history_csv(), encoding="utf-8-sig")
    page.goto("/history/import/")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("h1:has-text('Import report')")
    assert "Spring calibration" in page.locator("main").inner_text()
    screenshot(page, "history-import-report-ok-en")
    page.get_by_role("button", name="Apply the import").click()
    page.wait_for_selector("h2:has-text('Imported sessions')")
    assert "Imported 1 past session." in page.locator(".messages").inner_text()
    screenshot(page, "history-import-done-en")
    session = CalibrationSession.objects.get()
    assert session.title == "Spring calibration"
    assert SessionRecord.objects.get(session=session).imported
    page.get_by_role("link", name="Spring calibration").click()
    page.wait_for_url(f"**/reports/sessions/{session.pk}/")
