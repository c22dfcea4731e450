"""Criterion history in a real browser: from the list to a criterion's page with its chart and
the verdict of its change, and from the scorecard builder to the same page."""

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.scorecards import services as scorecards
from tests.factories import UserFactory
from tests.history.criterion_helpers import NEW_NEED, completed_session, need_of, new_version


def test_criterion_history_from_the_list_and_the_builder(
    page, transactional_db, users, version, team, screenshot
):
    lead = users[Role.QA_LEAD]
    lenient = UserFactory(username="second", role=Role.EVALUATOR)
    evaluators = [
        users[Role.EVALUATOR],
        lenient,
        UserFactory(username="third", role=Role.EVALUATOR),
    ]
    for days in (60, 45, 30):
        completed_session(lead, evaluators, version, team, days_ago=days, lenient=lenient)
    v2 = new_version(lead, version)
    completed_session(lead, evaluators, v2, team, days_ago=15, lenient=lenient)
    completed_session(lead, evaluators, v2, team, days_ago=5)
    key = need_of(version).key

    log_in(page, lead)
    page.goto("/history/criteria/")
    row = page.locator("tr", has_text=NEW_NEED)
    assert row.locator("svg.sparkline polyline").count() == 1
    assert row.locator("td").first.inner_text() == "5"
    screenshot(page, "history-criteria-en")
    row.get_by_role("link", name=NEW_NEED).click()
    page.wait_for_url(f"**/history/criteria/{key}/**")
    assert page.locator("figure.chart svg").count() == 1
    change = page.locator("#change-v2")
    assert "v1 → v2" in change.locator("h3").inner_text()
    assert change.locator("del", has_text="Understands the need").count() == 1
    assert change.locator("ins", has_text=NEW_NEED).count() == 1
    assert change.locator(".badge").inner_text() in {
        "Agreement improved",
        "No clear change",
        "Worse",
    }
    assert page.locator("#sessions tbody tr").count() == 5
    screenshot(page, "history-criterion-en")

    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    page.goto(f"/scorecards/versions/{draft.pk}/")
    summary = page.locator(f'.clarification-history[data-criterion-key="{key}"]')
    assert "Did the last clarification (v1 → v2) work?" in summary.inner_text()
    screenshot(page, "history-builder-clarification-en")
    summary.get_by_role("link", name="Criterion history").click()
    page.wait_for_url(f"**/history/criteria/{key}/**")
    assert page.locator("h1").inner_text() == NEW_NEED

    log_in(page, users[Role.AGENT])
    response = page.goto(f"/history/criteria/{key}/")
    assert response.status == 403
