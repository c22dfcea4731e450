"""The history pages draw names as they are, never as math text: an evaluator named `$\\foo$`
or `Ann $x^2$ \\frac{a}{b}` (anyone may set their own name) and a team and scorecard named so
still get their pages and charts."""

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role, Team
from qalibrate.history.models import SessionRecord
from qalibrate.scorecards.models import Scorecard

UNKNOWN = "$\\foo$"
FRACTION = "Ann $x^2$ \\frac{a}{b}"


@pytest.fixture
def named(history, users, second_evaluator, team):
    first = users[Role.EVALUATOR]
    first.first_name, first.last_name = UNKNOWN, ""
    first.save(update_fields=["first_name", "last_name"])
    second_evaluator.first_name, second_evaluator.last_name = FRACTION, ""
    second_evaluator.save(update_fields=["first_name", "last_name"])
    return history


@pytest.mark.parametrize("who", ["first", "second"])
def test_the_evaluator_history_page_of_a_math_name(client, users, named, second_evaluator, who):
    person = users[Role.EVALUATOR] if who == "first" else second_evaluator
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("history_evaluator", args=[person.pk]))
    assert response.status_code == 200
    assert (UNKNOWN if who == "first" else FRACTION) in response.content.decode()
    client.force_login(person)
    assert client.get(reverse("history_evaluator", args=[person.pk])).status_code == 200
    assert client.get("/history/evaluators/").status_code in (200, 302)


def test_the_trends_chart_names_math_like_teams_and_scorecards(client, users, named, team):
    """With sessions of two teams the chart's legend names each team and scorecard."""
    Team.objects.filter(pk=team.pk).update(name=UNKNOWN)
    Scorecard.objects.filter(pk=named[0].version.scorecard_id).update(name=FRACTION)
    other = Team.objects.create(name="Ann $x^2$ team")
    users[Role.QA_LEAD].teams.add(other)
    SessionRecord.objects.filter(session=named[0]).update(team=other)
    client.force_login(users[Role.QA_LEAD])
    response = client.get("/history/")
    assert response.status_code == 200
    html = response.content.decode()
    svg = html[html.index("<svg") :]
    assert f"{UNKNOWN} · {FRACTION}" in svg
