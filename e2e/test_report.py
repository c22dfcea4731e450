"""The calibration report in a real browser: charts drawn, exports downloadable."""

from e2e.browser import log_in
from qalibrate.accounts.models import Role


def test_report_page_and_downloads(page, transactional_db, users, revealed, screenshot):
    log_in(page, users[Role.QA_LEAD])
    page.goto(f"/reports/sessions/{revealed.pk}/")
    assert page.locator("figure.chart svg").count() == 3
    assert page.locator(".stat-value").first.inner_text() == "Not calibrated"
    screenshot(page, "report-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == "march-calibration.pdf"
    page.goto(f"/sessions/{revealed.pk}/discussion/")
    screenshot(page, "discussion-en")
    page.goto(f"/sessions/{revealed.pk}/discussion/?anonymous=1")
    screenshot(page, "discussion-anonymous-en")
