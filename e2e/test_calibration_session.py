"""A whole calibration session in a real browser: a facilitator and two evaluators, from planning
to the summary the agent reads. Screenshots of every stage go to artifacts/screenshots/."""

from datetime import timedelta

from django.utils import timezone

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.calibration.models import (
    AgreedAnswer,
    CalibrationSession,
    CriterionFlag,
    FollowUpAction,
)
from qalibrate.evaluations.models import Evaluation
from tests.factories import AgentFactory, ContactFactory, UserFactory, build_scorecard


def choose(page, criterion_text, value):
    fieldset = page.locator("fieldset.criterion", has_text=criterion_text)
    fieldset.locator("label.choice", has=page.locator(f"input[value='{value}']")).click()


def score_every_contact(page, session, answers_for):
    """Open each contact from the session page, answer everything, submit."""
    for number in range(session.session_contacts.count()):
        page.goto(f"/sessions/{session.pk}/")
        page.get_by_role("button", name=f"Score contact {number + 1}").click()
        page.wait_for_selector("#evaluation-form")
        for criterion, value in answers_for(number).items():
            choose(page, criterion, value)
        page.get_by_role("button", name="Submit evaluation").click()
        page.wait_for_selector(".message.success")  # on to the next contact, or the session


def local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_session_from_plan_to_shared_results(page, transactional_db, users, team, screenshot):
    lead, first, agent_user = users[Role.QA_LEAD], users[Role.EVALUATOR], users[Role.AGENT]
    second = UserFactory(role=Role.EVALUATOR, first_name="Second", last_name="Scorer")
    version = build_scorecard(lead, publish=True).current_version
    agents = [agent_user.agent_profile, AgentFactory(team=team), AgentFactory(team=team)]
    for i in range(5):
        ContactFactory(agent=agents[i % 3], subject=f"Call {i + 1}")

    # 1. The QA lead plans the session.
    log_in(page, lead)
    page.goto("/sessions/plan/")
    page.fill("#id_title", "Browser calibration")
    page.check(f"input[name=version][value='{version.pk}']")
    page.select_option("#id_team", str(team.pk))
    page.fill("#id_scoring_deadline", local_input(timezone.now() + timedelta(days=2)))
    page.fill("#id_meeting_at", local_input(timezone.now() + timedelta(days=3)))
    page.check(f"input[name=evaluators][value='{first.pk}']")
    page.check(f"input[name=evaluators][value='{second.pk}']")
    page.check(f"input[name=observers][value='{agent_user.pk}']")
    page.select_option("#id_sample_team", str(team.pk))
    page.fill("#id_sample_size", "5")
    screenshot(page, "session-walk-1-plan-en")
    page.get_by_role("button", name="Plan the session").click()
    page.wait_for_selector(".progress-board")
    session = CalibrationSession.objects.get(title="Browser calibration")
    assert session.session_contacts.count() == 5
    page.get_by_role("button", name="Open blind scoring").click()
    page.wait_for_selector(".badge.session-scoring")

    # 2. Two evaluators score, blind; the second disagrees on two criteria.
    agreeing = {
        "Greets with own name": "yes",
        "Verifies identity": "yes",
        "Understands the need": "3",
        "Information is correct": "Correct",
    }
    log_in(page, first)
    score_every_contact(page, session, lambda n: agreeing)
    log_in(page, second)
    score_every_contact(
        page,
        session,
        lambda n: {
            **agreeing,
            "Understands the need": {0: "1", 1: "5"}.get(n, "3"),
            "Greets with own name": "no" if n == 0 else "yes",
        },
    )

    # The facilitator follows progress without seeing any answer or score.
    log_in(page, lead)
    page.goto(f"/sessions/{session.pk}/")
    board = page.locator(".progress-board").inner_text()
    assert board.count("5/5") == 2
    assert "100.0" not in page.content() and "84.8" not in page.content()
    screenshot(page, "session-walk-2-progress-en")

    # 3. Reveal and discuss.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reveal the scores").click()
    page.wait_for_selector(".badge.session-discussion")
    page.get_by_role("link", name="Open the discussion").click()
    matrix = page.locator(".totals-matrix").inner_text().upper()  # headers are in capitals
    assert str(first).upper() in matrix and str(second).upper() in matrix
    screenshot(page, "session-walk-3-discussion-en")
    page.get_by_role("link", name="Anonymous display").click()
    matrix = page.locator(".totals-matrix").inner_text().upper()
    assert str(first).upper() not in matrix and "EVALUATOR A" in matrix and "EVALUATOR B" in matrix
    screenshot(page, "session-walk-4-discussion-anonymous-en")
    page.get_by_role("link", name="Show names").click()

    # The first contact to discuss is the lowest-scored: where the second said "no" and "1".
    # The meeting screen shows one contact at a time.
    page.get_by_role("link", name="Start with contact 1").click()
    card = page.locator(".contact-result").first
    before = card.locator(".score-inline").inner_text()
    disputed = card.locator(".discussion-criterion.disputed", has_text="Understands the need")
    page.evaluate("window.__stillHere = true")
    disputed.locator("select[name=value]").select_option("5")
    disputed.locator("input[name=reason]").fill("Asked two clarifying questions")
    disputed.get_by_role("button", name="Save").click()
    disputed.locator("span.muted", has_text="agreed").wait_for()
    assert page.evaluate("window.__stillHere === true")  # redrawn in place, no reload
    assert card.locator(".score-inline").inner_text() != before  # the agreed score moved
    assert AgreedAnswer.objects.filter(decided_by=lead, value="5").exists()

    page.locator("#contact-index a", has_text=agent_user.agent_profile.full_name).first.click()
    own = page.locator(".contact-result", has_text=agent_user.agent_profile.full_name).first
    own.locator("textarea[name=notes]").fill("Good call; greet with your name.")
    own.get_by_role("button", name="Save the notes").click()
    page.wait_for_selector(".message.success")
    page.locator("#contact-index a[href$='contact=1']").click()
    card = page.locator(".contact-result").first
    card.locator(".discussion-criterion.disputed").first.locator("summary").click()
    flag_form = card.locator(".discussion-criterion.disputed").first.locator(
        "form", has=page.get_by_role("button", name="Needs clarification")
    )
    flag_form.locator("input[name=note]").fill("Say whether a first name alone counts")
    flag_form.get_by_role("button", name="Needs clarification").click()
    page.fill("#id_description", "Rewrite the guideline for understanding the need")
    page.select_option("#id_owner", str(first.pk))
    page.fill("#id_due_date", (timezone.localdate() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Add the action").click()
    page.wait_for_selector(".actions-table >> text=Rewrite the guideline")

    # 4. Complete with the drafted summary; results become official and go to the agents.
    page.get_by_role("link", name="Complete the session").click()
    summary = page.locator("#id_summary").input_value()
    assert "5 contacts, 2 evaluators" in summary and "Rewrite the guideline" in summary
    page.check("#id_agreed_becomes_official")
    page.check("#id_share_with_agents")
    page.get_by_role("button", name="Complete and lock").click()
    page.wait_for_selector(".session-summary")
    screenshot(page, "session-walk-5-summary-en")

    # 5. The agent reads the agreed result of their own contact, not who scored what.
    log_in(page, agent_user)
    page.goto(f"/sessions/{session.pk}/")
    text = page.locator("main").inner_text()
    assert "Good call; greet with your name." in text
    assert str(first) not in text and str(second) not in text
    screenshot(page, "session-walk-6-agent-results-en")

    session.refresh_from_db()
    assert session.status == "completed"
    assert Evaluation.objects.filter(agreed_in=session).count() == 5
    assert CriterionFlag.objects.filter(session=session, kind="clarify").exists()
    assert FollowUpAction.objects.filter(session=session, owner=first).exists()
