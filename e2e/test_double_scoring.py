"""Double scoring in a real browser: a QA lead sets a policy, the second evaluator scores the
drawn contact blind from their home page, both see the pair compared, and the QA lead plans a
session from the candidates; the page reads in Russian and Swedish too."""

import random
import re

from playwright.sync_api import expect

from e2e.browser import log_in
from e2e.test_evaluation import choose
from qalibrate.accounts.models import Role
from qalibrate.double_scoring import services
from qalibrate.double_scoring.models import Pair, Policy
from tests.factories import ContactFactory, UserFactory, build_scorecard
from tests.helpers import score_as


def test_a_policy_a_blind_second_evaluation_and_a_candidate(
    page, users, team, monkeypatch, screenshot
):
    monkeypatch.setattr(services, "draw_random", random.Random(3))
    lead, first_evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    second_evaluator = UserFactory(username="partner", role=Role.EVALUATOR)
    second_evaluator.teams.add(team)
    version = build_scorecard(lead, publish=True).current_version

    log_in(page, lead)
    page.get_by_role("link", name="Double scoring").first.click()
    expect(page.get_by_role("heading", name="Double scoring", exact=True)).to_be_visible()
    page.get_by_role("link", name="New policy").click()
    page.get_by_label("Team").select_option(str(team.pk))
    page.get_by_label("Scorecard").select_option(str(version.scorecard_id))
    page.get_by_label("Share scored twice (%)").fill("100")
    page.get_by_role("button", name="Save the policy").click()
    expect(page.get_by_text("The double scoring policy has been saved.")).to_be_visible()
    assert Policy.objects.get().share_percent == 100

    contact = ContactFactory(agent=users[Role.AGENT].agent_profile)
    first = score_as(first_evaluator, None, contact, version=version)
    pair = Pair.objects.get(first=first)
    assert pair.second.evaluator == second_evaluator

    log_in(page, second_evaluator)
    expect(page.get_by_role("heading", name="Second evaluations to do")).to_be_visible()
    screenshot(page, "double-scoring-home-evaluator")
    page.get_by_role("link", name=f"{contact.get_channel_display()} {contact.external_id}").click()
    expect(page.get_by_text("The first evaluation stays hidden from you")).to_be_visible()
    choose(page, "Greets with own name", "no")
    choose(page, "Verifies identity", "yes")
    choose(page, "Understands the need", "3")
    choose(page, "Information is correct", "Correct")
    page.get_by_role("button", name="Submit evaluation").click()
    page.get_by_role("link", name="Compare the two evaluations").click()
    expect(
        page.get_by_role("heading", name=f"Contact {contact.external_id} scored twice")
    ).to_be_visible()
    expect(page.locator("tr.differs")).to_have_count(1)
    screenshot(page, "double-scoring-pair")
    pair.refresh_from_db()
    assert pair.within_tolerance is False

    log_in(page, lead)
    page.goto("/double-scoring/")
    expect(page.get_by_role("heading", name="Candidates for the next session")).to_be_visible()
    screenshot(page, "double-scoring-overview-en")
    for language, heading in [("ru", "Двойная оценка"), ("sv", "Dubbelbedömning")]:
        with page.expect_navigation():
            page.select_option("#language-select", language)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        screenshot(page, f"double-scoring-overview-{language}")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    page.get_by_role("button", name="Plan a session with the ticked contacts").click()
    expect(page).to_have_url(re.compile(rf"/sessions/plan/\?contacts={contact.pk}$"))
    expect(page.get_by_text(contact.external_id).first).to_be_visible()
