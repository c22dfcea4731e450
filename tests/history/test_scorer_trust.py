"""An automatic scorer's trust per criterion (history/scorer_selectors.py): its answers against
the agreed answers, pooled with a Wilson interval, beside the people's agreement with each other
without it; the verdict turns when the lower bound passes the people's agreement. Read from the
stored records in a fixed number of queries; shown on the scorer's history page only."""

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.agreement.proportion import wilson
from qalibrate.history.models import CriterionRecord, EvaluatorRecord
from qalibrate.history.scorer_selectors import scorer_trust
from tests.factories import UserFactory
from tests.helpers import criteria
from tests.history.conftest import completed_session


@pytest.fixture
def robot(team):
    scorer = UserFactory(username="robot", role=Role.EVALUATOR, is_automatic=True)
    scorer.teams.add(team)
    return scorer


@pytest.fixture
def sessions(users, version, team, second_evaluator, robot):
    lead = users[Role.QA_LEAD]
    people = [users[Role.EVALUATOR], second_evaluator, robot]
    return [completed_session(lead, people, version, team, days_ago=d) for d in (30, 15)]


def need_key(version) -> str:
    return criteria(version)["Understands the need"].key


def test_everyone_alike_is_not_yet_trustworthy(users, version, robot, sessions):
    """People agreeing perfectly cannot be beaten: no lower bound is above 100%."""
    lines = {line.key: line for line in scorer_trust(user=users[Role.QA_LEAD], scorer=robot)}
    line = lines[need_key(version)]
    assert line.sessions == 2
    assert (line.scorer.successes, line.scorer.n) == (10, 10)  # 5 contacts in each session
    assert line.humans.value == 1.0
    assert not line.trustworthy


def test_the_verdict_turns_once_the_lower_bound_passes_the_people(
    users, version, robot, sessions, second_evaluator
):
    key = need_key(version)
    evaluator = users[Role.EVALUATOR]
    # The people split on every contact; the scorer's own column agrees with the first person,
    # so with it counted the panel would agree more than the people do.
    for record in CriterionRecord.objects.filter(key=key):
        table = record.table
        place = {pk: i for i, pk in enumerate(table["evaluators"])}
        for row in table["rows"]:
            row[place[evaluator.pk]] = 3
            row[place[second_evaluator.pk]] = 4  # one point apart: no partial credit
            row[place[robot.pk]] = 3
        record.save(update_fields=["table"])
    EvaluatorRecord.objects.filter(evaluator=robot).update(criteria={key: [0, 10]})
    lines = {line.key: line for line in scorer_trust(user=users[Role.QA_LEAD], scorer=robot)}
    line = lines[key]
    assert line.humans.value == 0.0  # the people alone: every pair differs
    assert (line.scorer.successes, line.scorer.n) == (20, 20)
    assert line.scorer.low == pytest.approx(wilson(20, 20).low)
    assert line.trustworthy
    # Least trustworthy first: the criteria the people agree on come before it.
    assert list(lines)[-1] == key

    EvaluatorRecord.objects.filter(evaluator=robot).update(criteria={key: [10, 10]})
    (line,) = [t for t in scorer_trust(user=users[Role.QA_LEAD], scorer=robot) if t.key == key]
    assert (line.scorer.successes, line.scorer.n, line.scorer.low) == (0, 20, 0.0)
    assert not line.trustworthy  # a lower bound of 0 is not above the people's 0


def test_a_fixed_number_of_queries(users, robot, sessions, django_assert_num_queries):
    with django_assert_num_queries(4):
        scorer_trust(user=users[Role.QA_LEAD], scorer=robot)


def test_the_page_shows_it_for_automatic_scorers_only(client, users, robot, sessions):
    client.force_login(users[Role.QA_LEAD])
    page = client.get(reverse("history_evaluator", args=[robot.pk])).content.decode()
    assert "Can its answers be trusted?" in page
    assert "not yet trustworthy" in page
    assert 'class="badge automatic"' in page
    person = users[Role.EVALUATOR]
    other = client.get(reverse("history_evaluator", args=[person.pk])).content.decode()
    assert "Can its answers be trusted?" not in other
    client.force_login(person)  # an evaluator sees their own history, not the scorer's
    assert client.get(reverse("history_evaluator", args=[robot.pk])).status_code == 403


def test_the_api_gives_it_too(users, robot, sessions):
    from rest_framework.test import APIClient

    from qalibrate.api import tokens

    client = APIClient()
    key = tokens.token_create(user=users[Role.QA_LEAD], name="tests")[1]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = client.get(f"/api/v1/history/evaluators/{robot.pk}/").json()
    assert body["evaluator"]["is_automatic"] is True
    line = body["trust"][0]
    assert line["scorer"]["n"] == 10 and line["trustworthy"] is False
    person = client.get(f"/api/v1/history/evaluators/{users[Role.EVALUATOR].pk}/").json()
    assert person["trust"] is None
