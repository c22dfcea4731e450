"""The evaluators' history pages and endpoint: who sees what, the figures they show (the pooled
bias is agreement.pooling's on the stored rows), and a query count that does not grow with the
number of sessions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from qalibrate.accounts.models import Role
from qalibrate.agreement import pooling
from qalibrate.api import tokens
from qalibrate.core.numbers import signed
from qalibrate.history.evaluator_selectors import evaluator_history
from qalibrate.history.models import EvaluatorRecord
from tests.history.conftest import completed_session

LIST = "/history/evaluators/"


def page(pk: int) -> str:
    return reverse("history_evaluator", args=[pk])


def endpoint(pk: int) -> str:
    return f"/api/v1/history/evaluators/{pk}/"


def api(user=None) -> APIClient:
    """A client that sends a new personal token of ``user``; none without one."""
    client = APIClient()
    if user is not None:
        _token, key = tokens.token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def status(client, user, url) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def test_who_sees_which_page(client, history, users, second_evaluator):
    own, other = users[Role.EVALUATOR], second_evaluator
    for role in (Role.ADMIN, Role.QA_LEAD):
        assert status(client, users[role], LIST) == 200
        assert status(client, users[role], page(other.pk)) == 200
        assert api(users[role]).get(endpoint(other.pk)).status_code == 200
    # An evaluator: the list leads to their own page; another evaluator's page is refused.
    client.force_login(own)
    assert client.get(LIST).url == page(own.pk)
    assert status(client, own, page(own.pk)) == 200
    assert status(client, own, page(other.pk)) == 403
    assert api(own).get(endpoint(own.pk)).status_code == 200
    assert api(own).get(endpoint(other.pk)).status_code == 403
    # Agents see none of it; nobody signed in is sent to sign in, or answered 401.
    agent = users[Role.AGENT]
    for url in (LIST, page(own.pk), page(agent.pk)):
        assert status(client, agent, url) == 403
    assert api(agent).get(endpoint(own.pk)).status_code == 403
    assert status(client, None, page(own.pk)) == 302
    assert api(None).get(endpoint(own.pk)).status_code == 401
    # Nobody by that id.
    assert status(client, users[Role.QA_LEAD], page(999_999)) == 404
    assert api(users[Role.QA_LEAD]).get(endpoint(999_999)).status_code == 404


def test_the_page_shows_each_session_and_the_pooled_bias(client, history, users, second_evaluator):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(page(second_evaluator.pk))
    html = response.content.decode()
    part = response.context["history"].teams[0]
    rows = list(EvaluatorRecord.objects.filter(evaluator=second_evaluator).order_by("held_on"))
    recent = rows[-part.rule.recent :]
    expected = pooling.pooled_bias(
        [r.bias for r in recent], [r.deviation_sd for r in recent], [r.contacts for r in recent]
    )
    assert part.verdict.pooled == expected
    assert expected.sessions == 4 and expected.pooled
    assert signed(expected.estimate) in html
    shrunken = pooling.shrunken_biases(
        [r.bias for r in recent], [r.deviation_sd for r in recent], [r.contacts for r in recent]
    )
    assert [line.shrunken for line in part.sessions] == shrunken
    # Every session with a link to its report, its deviation and its share of matching answers.
    for session in history:
        assert reverse("session_report", args=[session.pk]) in html
    assert [line.row.within_tolerance for line in part.sessions] == [True, False, False, False]
    assert [line.row.bias > 0 for line in part.sessions] == [False, True, True, True]
    assert "15.2" in html and "<svg" in html
    # Where they differ: the need question (the lenient answers), named by its latest text.
    assert [gap.text for gap in part.criteria] == ["Understands the need"]
    assert part.criteria[0].compared == 20 and part.criteria[0].differing == 15
    # The drift and why, in words with the figures; the model in a sentence and its method.
    assert part.verdict.kind == "consecutive"
    assert "Outside the tolerance of 5.0 points in the last 2 sessions in a row" in html
    assert 'href="#method"' in html and 'id="method"' in html


def test_a_session_before_completion_is_not_shown(client, history, revealed, users):
    client.force_login(users[Role.QA_LEAD])
    html = client.get(page(users[Role.EVALUATOR].pk)).content.decode()
    assert revealed.title not in html
    history_of = evaluator_history(user=users[Role.QA_LEAD], evaluator=users[Role.EVALUATOR])
    assert history_of.session_count == len(history)


def test_the_api_sends_the_page_s_figures(history, users, second_evaluator):
    data = api(users[Role.QA_LEAD]).get(endpoint(second_evaluator.pk)).json()
    found = evaluator_history(user=users[Role.QA_LEAD], evaluator=second_evaluator).teams[0]
    assert data["evaluator"] == {
        "id": second_evaluator.pk,
        "name": str(second_evaluator),
        "is_automatic": False,
    }
    assert data["trust"] is None
    (team,) = data["teams"]
    assert team["team"]["name"] == "Customer support"
    assert team["rule"] == {"enabled": True, "consecutive": 2, "recent": 6}
    assert team["pooled"]["estimate"] == found.verdict.pooled.estimate
    assert team["pooled"]["low"] == found.verdict.pooled.low
    assert team["drift"]["state"] == "consecutive"
    assert team["drift"]["reason"] == found.verdict.reason
    assert [s["session"] for s in team["drift"]["outside"]] == [s.pk for s in history[-2:]]
    assert [s["session"] for s in team["sessions"]] == [s.pk for s in history]
    assert [s["drift_alert"] for s in team["sessions"]] == ["", "", "consecutive", "consecutive"]
    assert team["sessions"][1]["matches_agreed"] == 0.75
    assert team["criteria"][0]["text"] == "Understands the need"


def test_the_list_marks_who_drifts(client, history, users, second_evaluator):
    client.force_login(users[Role.QA_LEAD])
    response = client.get(LIST)
    lines = response.context["lines"]
    assert lines[0].evaluator == second_evaluator and lines[0].verdict.kind == "consecutive"
    assert [line.verdict.kind for line in lines[1:]] == ["", ""]
    assert all(line.sessions == 4 for line in lines)
    html = response.content.decode()
    assert html.count("drift-mark") == 1
    assert reverse("history_drift_rule", args=[history[0].team_id]) in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.slow
def test_queries_do_not_grow_with_sessions(
    client, users, version, team, second_evaluator, third_evaluator
):
    lead, evaluators = users[Role.QA_LEAD], [users[Role.EVALUATOR], second_evaluator]
    evaluators.append(third_evaluator)

    def sessions(days):
        for day in days:
            completed_session(lead, evaluators, version, team, days_ago=day, lenient=evaluators[1])

    sessions([90, 80])
    client.force_login(lead)
    token_client = api(lead)
    token_client.get(endpoint(second_evaluator.pk))  # the token's first use is written once
    urls = [LIST, page(second_evaluator.pk)]
    before = [_queries(client, url) for url in urls]
    with CaptureQueriesContext(connection) as queries:
        token_client.get(endpoint(second_evaluator.pk))
    api_before = len(queries)
    sessions([70, 60, 50, 40])
    assert [_queries(client, url) for url in urls] == before
    with CaptureQueriesContext(connection) as queries:
        assert (
            len(token_client.get(endpoint(second_evaluator.pk)).json()["teams"][0]["sessions"]) == 6
        )
    assert len(queries) == api_before
