"""Nobody sees the other evaluation of a pair before both are submitted; then both see it."""

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.double_scoring.models import Pair
from qalibrate.evaluations.models import Evaluation
from qalibrate.evaluations.services import evaluation_reopen
from tests.double_scoring.conftest import score_ordinary
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def expert_pair(users, policy, contacts, evaluator):
    """The QA lead is the expert: QA staff see their team's submitted evaluations, so only the
    pair's rule keeps the first hidden from them."""
    policy.expert = users[Role.QA_LEAD]
    policy.save()
    first = score_ordinary(evaluator, contacts[0], policy.scorecard.current_version)
    return Pair.objects.get(first=first)


def _sees(user, evaluation) -> bool:
    return Evaluation.objects.visible_to(user).filter(pk=evaluation.pk).exists()


def test_the_expert_cannot_see_the_first_before_submitting(client, users, expert_pair):
    lead, admin = users[Role.QA_LEAD], users[Role.ADMIN]
    assert not _sees(lead, expert_pair.first)
    assert _sees(admin, expert_pair.first)  # QA staff outside the pair see it as ever
    client.force_login(lead)
    first_page = reverse("evaluation_detail", args=[expert_pair.first.pk])
    assert client.get(first_page).status_code == 404
    api = client.get(f"/api/v1/evaluations/{expert_pair.first.pk}/")
    assert api.status_code == 404
    listed = client.get("/api/v1/evaluations/").json()["results"]
    assert expert_pair.first.pk not in [row["id"] for row in listed]
    contact_page = client.get(reverse("contact_detail", args=[expert_pair.first.contact_id]))
    assert str(expert_pair.first.score) not in contact_page.content.decode()
    # The expert's own second evaluation opens, with the note that the first stays hidden.
    page = client.get(reverse("evaluation_detail", args=[expert_pair.second.pk]))
    assert "The first evaluation stays hidden from you" in page.content.decode()
    assert client.get(reverse("double_scoring_pair", args=[expert_pair.pk])).status_code == 404


def test_both_are_shown_side_by_side_once_both_are_submitted(
    client, users, expert_pair, contacts, evaluator
):
    lead = users[Role.QA_LEAD]
    score_ordinary(lead, contacts[0], expert_pair.first.version, greet="no")
    assert _sees(lead, expert_pair.first)
    for person in (lead, evaluator):
        client.force_login(person)
        page = client.get(reverse("double_scoring_pair", args=[expert_pair.pk]))
        assert page.status_code == 200
        assert "differs" in page.content.decode()


def test_a_first_reopened_meanwhile_stays_blind_to_the_submitted_second(
    users, policy, contacts, evaluator, second_evaluator, team
):
    """The first evaluator, a QA lead, reopens their evaluation before the second is in: the
    second's submitted answers stay hidden from them until they submit again."""
    lead = users[Role.QA_LEAD]
    first = score_ordinary(lead, contacts[0], policy.scorecard.current_version)
    pair = Pair.objects.get(first=first)
    evaluation_reopen(evaluation=first, user=users[Role.ADMIN], reason="one more look")
    score_ordinary(pair.second.evaluator, contacts[0], first.version)
    assert not _sees(lead, pair.second)
    score_ordinary(lead, contacts[0], first.version)
    assert _sees(lead, pair.second)


def test_who_may_open_a_completed_pair(client, users, policy, contacts, evaluator, team):
    first = score_ordinary(evaluator, contacts[0], policy.scorecard.current_version)
    pair = Pair.objects.get(first=first)
    score_ordinary(pair.second.evaluator, contacts[0], first.version)
    outsider = UserFactory(username="other-team-lead", role=Role.QA_LEAD)
    outsider.teams.add(TeamFactory(name="Other"))
    other_evaluator = UserFactory(username="not-in-pair", role=Role.EVALUATOR)
    other_evaluator.teams.add(team)
    expected = {
        users[Role.ADMIN]: 200,
        users[Role.QA_LEAD]: 200,
        evaluator: 200,
        pair.second.evaluator: 200,
        other_evaluator: 404,
        outsider: 404,
        users[Role.AGENT]: 404,
    }
    for person, status in expected.items():
        client.force_login(person)
        url = reverse("double_scoring_pair", args=[pair.pk])
        assert client.get(url).status_code == status, person.username
    # The evaluator links only the evaluation they may open: their own.
    client.force_login(evaluator)
    page = client.get(reverse("double_scoring_pair", args=[pair.pk])).content.decode()
    assert reverse("evaluation_detail", args=[pair.first_id]) in page
    assert reverse("evaluation_detail", args=[pair.second_id]) not in page
