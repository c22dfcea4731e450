from e2e.browser import log_in
from qalibrate.calibration.models import Series
from qalibrate.demo.builder import build_demo


def test_series_and_cadence_pages_on_the_demo(page, transactional_db, screenshot):
    build_demo()
    calls = Series.objects.get(title="Customer support: calls")
    log_in(page, "admin")  # English
    page.goto("/sessions/")
    page.get_by_role("link", name="Series").first.click()
    page.wait_for_url("**/sessions/series/")
    rows = page.locator(".series-table tbody tr")
    assert rows.count() == 2
    assert (
        "Every 2 weeks on" in rows.first.inner_text()
        or "Every 2 weeks on" in rows.last.inner_text()
    )
    screenshot(page, "series-list-en")

    page.goto(f"/sessions/series/{calls.pk}/")
    assert page.locator(".next-meetings li").count() == 5
    upcoming, past = page.locator(".series-sessions").all()
    assert upcoming.locator("tbody tr").count() == 2
    assert past.locator("tbody tr").count() == 2
    screenshot(page, "series-detail-en")

    page.goto("/sessions/cadence/")
    table = page.locator(".cadence-table")
    assert table.locator("tbody tr").count() == 3
    assert table.locator(".badge").count() == 18
    screenshot(page, "cadence-en")
