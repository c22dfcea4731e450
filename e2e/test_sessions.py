from e2e.browser import log_in
from qalibrate.calibration.models import CalibrationSession
from qalibrate.demo.builder import build_demo


def test_session_pages_on_the_demo(page, transactional_db, screenshot):
    build_demo()
    scoring = CalibrationSession.objects.get(status="scoring", team__name="Customer support")
    log_in(page, "maria.lindqvist")  # a QA lead whose language is Swedish
    page.goto("/sessions/")
    screenshot(page, "sessions-list-sv")
    page.goto(f"/sessions/{scoring.pk}/")
    board = page.locator(".progress-board").inner_text()
    assert "6/6" in board and "0/6" in board
    screenshot(page, "session-progress-sv")
    page.goto("/sessions/plan/")
    screenshot(page, "session-plan-sv")

    page.context.clear_cookies()
    log_in(page, "james.cole")  # an evaluator invited to score
    page.goto(f"/sessions/{scoring.pk}/")
    page.get_by_role("button", name="Continue").first.click()  # the first of their drafts
    page.wait_for_selector("#evaluation-form")
    screenshot(page, "session-scoring-evaluation-en")


def test_add_contacts_and_invite_on_a_planned_session(page, transactional_db, screenshot):
    build_demo()
    planned = CalibrationSession.objects.get(status="draft")
    before = planned.session_contacts.count()
    log_in(page, "maria.lindqvist")
    page.goto(f"/sessions/{planned.pk}/")
    page.locator("details.reschedule summary").first.click()  # "Invite more people"
    screenshot(page, "session-planned-sv")
    page.get_by_role("link", name="Lägg till kontakter från kontaktlistan").click()
    page.wait_for_url(f"**/contacts/?add_to={planned.pk}")
    page.locator("input[name=contacts]").first.check()
    screenshot(page, "contacts-add-to-session-sv")
    page.locator(".pick-bar button").click()
    page.wait_for_url(f"**/sessions/{planned.pk}/")
    assert "1 kontakt har lagts till." in page.locator(".messages").inner_text()
    assert planned.session_contacts.count() == before + 1
