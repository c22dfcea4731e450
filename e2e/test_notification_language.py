"""Notifications read in the language the person uses now: a Swedish evaluator of the demo, whose
notifications were made in Swedish, switches to English and reads them in English, with times in
her own time zone; the list fits a phone without sideways scrolling."""

from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.demo.builder import build_demo

SIZES = {"1366": (1366, 800), "1024": (1024, 768), "390": (390, 844)}


def test_notifications_follow_the_interface_language(page, transactional_db, screenshot):
    build_demo()
    log_in(page, "anna.bergstrom")
    page.goto("/notifications/")
    subjects = page.locator(".notification-subject")
    expect(subjects.filter(has_text="Inbjudan:").first).to_be_visible()
    with page.expect_navigation():
        page.select_option("#language-select", "en")  # the switch in the header
    page.goto("/notifications/")
    expect(subjects.filter(has_text="Invitation:").first).to_be_visible()
    assert subjects.filter(has_text="Inbjudan:").count() == 0
    facts = page.locator(".notification-facts").first
    expect(facts).to_contain_text("Meeting:")
    expect(facts).to_contain_text("(CET)")  # Europe/Stockholm, the reader's own zone
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/notifications/")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: {overflow}px sideways"
        screenshot(page, f"notif-list-{name}")
