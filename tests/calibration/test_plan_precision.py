"""The plan page says how precisely the planned session will measure alpha of the totals.

The numbers come from qalibrate.agreement.precision (checked against simulation in
tests/agreement/test_precision.py); these tests check which contacts, evaluators and alpha the
page feeds it: the ticks or the sample size, the evaluators as prefilled or as posted, and the
alpha of the team's last completed session as its report shows it, or 0.8 without one.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.agreement.precision import contacts_for_margin, expected_alpha_width
from qalibrate.calibration import meeting_selectors, planning, services
from qalibrate.calibration.models import SessionStatus
from tests.factories import AgentFactory, ContactFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def contacts(team):
    agents = [AgentFactory(team=team) for _ in range(3)]
    return [ContactFactory(agent=agents[i % 3]) for i in range(7)]


def _plan(lead, version, team, contacts, evaluators, days_ago=3):
    meeting = timezone.now() - timedelta(days=days_ago)
    return services.session_plan(
        user=lead,
        contacts=contacts,
        evaluators=evaluators,
        title="Earlier",
        version=version,
        team=team,
        facilitator=lead,
        meeting_at=meeting,
        scoring_deadline=meeting - timedelta(days=1),
    )


def _note(page: str) -> str:
    found = re.search(r'<div class="plan-precision".*?</div>', page, re.S)
    assert found, "no precision note on the plan page"
    return re.sub(r"\s+", " ", found.group(0))


def _expected(contacts, evaluators, alpha):
    half = expected_alpha_width(contacts, evaluators, alpha) / 2
    return (
        f"With {contacts} contacts and {evaluators} evaluators, alpha of the totals will be "
        f"known to about ±{half:.2f} (95% interval).",
        f"±0.1 needs about {contacts_for_margin(0.1, evaluators, alpha)} contacts.",
        f"±0.2 needs about {contacts_for_margin(0.2, evaluators, alpha)} contacts.",
    )


def test_the_ticked_contacts_and_prefilled_evaluators_without_history(
    client, users, version, team, contacts, evaluators
):
    lead = users[Role.QA_LEAD]
    _plan(lead, version, team, contacts[:5], evaluators[:3])  # prefills three evaluators
    client.force_login(lead)
    page = client.get(reverse("session_plan"), {"contacts": [c.pk for c in contacts]})
    note = _note(page.content.decode())

    for sentence in _expected(7, 3, 0.8):
        assert sentence in note
    # 7 × 3 at alpha 0.8: benchmarks/sample_size.py simulates ±0.31 at 8 × 3, ±0.46 at 5 × 3.
    assert "about ±0.3" in note
    assert "Assuming alpha 0.8: no completed session of the team to go by." in note


def test_the_team_last_completed_session_sets_the_alpha(client, users, revealed, team):
    lead = users[Role.QA_LEAD]
    services.session_complete(session=revealed, user=lead, summary="Done.")
    revealed.refresh_from_db()
    measured = meeting_selectors.discussion(revealed).totals.alpha.estimate  # what the report shows
    alpha = round(min(max(measured, 0.0), 0.95), 2)
    client.force_login(lead)
    ticked = {"contacts": [sc.contact_id for sc in revealed.session_contacts.all()]}
    note = _note(client.get(reverse("session_plan"), ticked).content.decode())

    for sentence in _expected(6, 3, alpha):  # the three evaluators of the completed session
        assert sentence in note
    assert f"Assuming alpha {alpha}" in note and "“March calibration”" in note


def test_the_report_alpha_is_computed_once_per_completed_session(
    monkeypatch, users, revealed, team
):
    services.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done.")
    calls = []
    real = meeting_selectors.discussion
    monkeypatch.setattr(meeting_selectors, "discussion", lambda s: calls.append(s) or real(s))
    first = planning.plan_precision(team=team, contacts=8, evaluators=4)
    second = planning.plan_precision(team=team, contacts=8, evaluators=4)
    assert len(calls) == 1
    assert first == second and first.session == revealed


def test_an_alpha_outside_what_planning_trusts_is_capped(
    client, monkeypatch, users, revealed, team
):
    services.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done.")
    monkeypatch.setattr(planning, "totals_alpha", lambda session: 0.987)
    precision = planning.plan_precision(team=team, contacts=8, evaluators=3)
    assert precision.alpha == 0.95 and precision.capped
    client.force_login(users[Role.QA_LEAD])
    ticked = {"contacts": [sc.contact_id for sc in revealed.session_contacts.all()]}
    note = _note(client.get(reverse("session_plan"), ticked).content.decode())
    for sentence in _expected(6, 3, 0.95):
        assert sentence in note
    assert "Assuming alpha 0.95: the team's last completed session" in note
    assert "measured 0.99" in note
    monkeypatch.setattr(planning, "totals_alpha", lambda session: -0.3)
    assert planning.plan_precision(team=team, contacts=8, evaluators=3).alpha == 0.0


def test_a_sampled_session_after_an_error_shows_what_was_posted(
    client, users, version, team, contacts, evaluators
):
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    data = {
        "sample_team": team.pk,
        "sample_size": 9,
        "team": team.pk,
        "title": "",
        "evaluators": [e.pk for e in evaluators],
    }
    page = client.post(reverse("session_plan"), data).content.decode()
    assert "field-error" in page  # the title (and more) is missing: the form comes back
    for sentence in _expected(9, 4, 0.8):
        assert sentence in _note(page)


def test_no_note_without_two_evaluators(client, users, version, team, contacts):
    client.force_login(users[Role.QA_LEAD])
    page = client.get(reverse("session_plan"), {"contacts": [c.pk for c in contacts]})
    assert 'class="plan-precision"' not in page.content.decode()  # nobody prefilled
    assert planning.plan_precision(team=team, contacts=2, evaluators=3) is None


def test_a_cancelled_or_open_session_does_not_set_the_alpha(users, version, team, contacts):
    lead = users[Role.QA_LEAD]
    evaluators = [UserFactory(role=Role.EVALUATOR) for _ in range(2)]
    session = _plan(lead, version, team, contacts[:5], evaluators)
    for status in (SessionStatus.CANCELLED, SessionStatus.DISCUSSION):
        session.status = status
        session.save(update_fields=["status"])
        precision = planning.plan_precision(team=team, contacts=6, evaluators=2)
        assert precision.alpha == 0.8 and precision.session is None


def test_the_note_follows_the_form_as_it_changes(client, users, team, evaluators):
    # htmx asks again whenever a field changes, sending the whole form.
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    url = reverse("session_plan_precision")
    answer = client.get(
        url, {"team": team.pk, "sample_size": 8, "evaluators": [e.pk for e in evaluators[:4]]}
    )
    assert answer.status_code == 200
    note = _note(answer.content.decode())
    for sentence in _expected(8, 4, 0.8):
        assert sentence in note
    # One evaluator: no note, but the slot stays for the next change.
    answer = client.get(url, {"team": team.pk, "sample_size": 8, "evaluators": [evaluators[0].pk]})
    page = answer.content.decode()
    assert 'id="plan-precision-slot"' in page and 'plan-precision"' not in page
    # Only those who may plan may ask.
    client.force_login(users[Role.EVALUATOR])
    assert client.get(url, {"sample_size": 8}).status_code == 403
