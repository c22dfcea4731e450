"""The evaluators' history in a real browser: the QA lead finds who drifts in the list, opens
the evaluator's page and reads why, next to the chart."""

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from tests.history.conftest import completed_session


def test_the_qa_lead_reads_why_an_evaluator_drifts(
    page, transactional_db, users, version, team, second_evaluator, third_evaluator, screenshot
):
    lead = users[Role.QA_LEAD]
    evaluators = [users[Role.EVALUATOR], second_evaluator, third_evaluator]
    for days in (60, 45, 30, 15):
        lenient = second_evaluator if days < 60 else None
        completed_session(lead, evaluators, version, team, days_ago=days, lenient=lenient)
    log_in(page, lead)
    page.goto("/history/evaluators/")
    drifting = page.locator("tr.evaluator-line.drifting")
    assert drifting.count() == 1
    assert drifting.locator(".drift-mark").inner_text() == "Drifts"
    screenshot(page, "history-evaluators-en")
    drifting.get_by_role("link", name=str(second_evaluator)).click()
    page.wait_for_url(f"**/history/evaluators/{second_evaluator.pk}/")
    why = page.locator(".drift-why").first
    assert "in the last 2 sessions in a row" in why.inner_text()
    assert "15.2" in why.inner_text()
    assert page.locator("figure.chart svg").count() == 1
    assert page.locator("table.evaluator-sessions tbody tr").count() == 4
    screenshot(page, "history-evaluator-en")
    # The bell has the alert, and it leads to the same page.
    page.goto("/notifications/")
    alert = page.get_by_text(f"An evaluator drifts: {second_evaluator}").first
    assert alert.is_visible()
