"""The QA lead's and the admin's home on the demo: every "needs attention" list has something,
and the QA lead acts from it (reveals the session whose deadline has passed)."""

from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.accounts.models import User
from qalibrate.calibration.models import CalibrationSession
from qalibrate.demo.builder import build_demo

SIZES = {"1366": (1366, 800), "1024": (1024, 768), "390": (390, 844)}
SECTIONS = [
    "attention-ready",
    "attention-scoring",
    "attention-meetings",
    "attention-summary",
    "attention-actions",
    "attention-flags",
    "attention-cadence",
    "attention-results",
]


def _shots(page, screenshot, prefix):
    for name, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/")
        # Nothing may push the page sideways, the phone included.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
        screenshot(page, f"{prefix}-{name}")
    page.set_viewport_size({"width": 1366, "height": 800})


def _every_section_fills(page, *, but=()):
    for section in [name for name in SECTIONS if name not in but]:
        card = page.locator(f"#{section}")
        expect(card).to_be_visible()
        assert card.locator(".attention-list > li:not(.empty), tbody tr th").count() > 0, section


def test_qa_lead_sees_and_acts_on_what_needs_attention(page, transactional_db, screenshot):
    build_demo()
    User.objects.filter(username="maria.lindqvist").update(language="en")  # English shots
    log_in(page, "maria.lindqvist")
    expect(page.get_by_role("heading", name="What needs attention")).to_be_visible()
    # Her teams have no summary to write; the Russian team's session is not hers to see.
    _every_section_fills(page, but=["attention-summary"])
    expect(page.locator("#attention-summary")).not_to_contain_text("Служба поддержки")
    ready = page.locator("#attention-ready")
    expect(ready).to_contain_text("Kundtjänst Norden")
    expect(ready).to_contain_text("Deadline passed")
    expect(ready).to_contain_text("Karl Nyberg (3/5)")
    expect(page.locator("#attention-scoring")).to_contain_text("Customer support: calls, week 48")
    expect(page.locator("#attention-meetings")).to_contain_text("Kundtjänst Norden")
    expect(page.locator("#attention-results")).to_contain_text("Customer support: calls, week 47")
    # The contacts-per-team table stays, lower on the page.
    expect(page.get_by_role("heading", name="Teams: contacts in the last 30 days")).to_be_visible()
    _shots(page, screenshot, "home-lead")

    page.once("dialog", lambda dialog: dialog.accept())
    ready.get_by_role("button", name="Reveal the scores").click()
    # The one in scoring until now; the demo's history holds the team's completed ones.
    session = CalibrationSession.objects.get(team__name="Kundtjänst Norden", title__endswith="49")
    page.wait_for_url(f"**/sessions/{session.pk}/")
    session.refresh_from_db()
    assert session.status == "discussion"
    page.goto("/")
    expect(page.locator("#attention-ready .empty")).to_be_visible()

    page.locator("#attention-flags").get_by_role("link", name="Open the draft").first.click()
    page.wait_for_url("**/scorecards/versions/*/")

    # The Russian team's QA lead has its summary to write.
    page.context.clear_cookies()
    log_in(page, "olga.smirnova")
    expect(page.locator("#attention-summary")).to_contain_text("Служба поддержки")


def test_admin_sees_the_list_beside_the_overview(page, transactional_db, screenshot):
    build_demo()
    log_in(page, "admin")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    _every_section_fills(page)
    expect(page.get_by_role("heading", name="Users by role")).to_be_visible()
    _shots(page, screenshot, "home-admin")


def test_evaluator_sees_no_attention_list(page, transactional_db):
    build_demo()
    log_in(page, "karl.nyberg")
    expect(page.locator(".attention")).to_have_count(0)
