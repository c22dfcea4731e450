"""The trends page in a real browser: the QA lead opens it from the home page, filters by
period and sees the chart and the rows."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from tests.history.trend_helpers import stored_record


def test_trends_from_the_home_page(page, transactional_db, users, version, team, screenshot):
    lead = users[Role.QA_LEAD]
    today = timezone.localdate()
    for days, share in ((300, 0.4), (80, 0.6), (50, 0.7), (20, 0.9)):
        stored_record(
            lead,
            version,
            team,
            today - timedelta(days=days),
            title=f"Held {days} days ago",
            share_within=share,
        )
    log_in(page, lead)
    page.locator("#attention-trends").click()
    page.wait_for_url("**/history/")
    expect(page.locator("h1")).to_have_text("Calibration trends")
    expect(page.locator(".trends-table tbody tr")).to_have_count(4)
    page.select_option("#id_period", "3m")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/history/?*period=3m*")
    rows = page.locator(".trends-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Held 80 days ago")
    expect(page.locator("figure.trends-chart svg")).to_be_visible()
    expect(page.locator(".trends-summary")).to_contain_text("+30.0 pts")
    screenshot(page, "history-trends-en")
    page.locator(".trends-table tbody tr").last.get_by_role("link").click()
    page.wait_for_url("**/reports/sessions/*/")
