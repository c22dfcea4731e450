"""The book of rulings in a real browser: searching it, and opening a criterion's rulings beside
the evaluation form while the answers typed stay where they are."""

from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.history.models import Ruling
from tests.helpers import score_as
from tests.history.conftest import completed_session


def test_search_and_the_panel_beside_the_form(
    page, transactional_db, users, version, team, second_evaluator, session, screenshot
):
    evaluators = [users[Role.EVALUATOR], second_evaluator]
    done = completed_session(
        users[Role.QA_LEAD], evaluators, version, team, days_ago=20, lenient=second_evaluator
    )
    ruling = Ruling.objects.filter(record__session=done).first()
    ruling.reason = "Needs confirmed twice: the middle of the scale."
    ruling.search_text = f"{ruling.search_text} {ruling.reason}".lower()
    ruling.save()
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_move(session=session, user=lead, action="open")
    contact = session.session_contacts.first().contact
    evaluation = score_as(evaluator, session, contact, submit=False)

    log_in(page, evaluator)
    page.goto("/history/rulings/")
    page.fill("#id_q", "confirmed twice")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#rulings-results .ruling")).to_have_count(1)
    expect(page.locator("#rulings-results")).to_contain_text(ruling.reason)
    screenshot(page, "history-rulings-en")

    page.goto(f"/evaluations/{evaluation.pk}/")
    summary = page.locator("#summary")
    summary.fill("Typed before looking at the rulings")
    link = page.locator(".rulings-link a").first
    link.click()
    expect(page.locator("#rulings-panel .rulings-panel")).to_be_visible()
    expect(page.locator("#rulings-panel")).to_contain_text("Past rulings on this criterion")
    assert "/evaluations/" in page.url
    expect(summary).to_have_value("Typed before looking at the rulings")
    screenshot(page, "history-rulings-panel-en")
