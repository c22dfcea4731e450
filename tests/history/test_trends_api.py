"""GET /api/v1/history/trends/: the trends page's rows and summary, with its filters and
permissions, in the OpenAPI schema."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from qalibrate.accounts.models import Role
from qalibrate.api import tokens
from qalibrate.calibration.models import Participant
from qalibrate.history.models import SessionRecord
from tests.factories import TeamFactory
from tests.history.trend_helpers import stored_record

URL = "/api/v1/history/trends/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = tokens.token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.QA_LEAD, 200), (Role.EVALUATOR, 200), (Role.AGENT, 403)],
)
def test_each_role(users, role, status):
    assert api(users[role]).get(URL).status_code == status


def test_anonymous_is_refused(db):
    assert api().get(URL).status_code == 401


def test_the_rows_are_the_completed_sessions_oldest_first(users, history, revealed):
    body = api(users[Role.QA_LEAD]).get(URL).json()
    assert [row["session"] for row in body["sessions"]] == [s.pk for s in history]
    assert revealed.pk not in {row["session"] for row in body["sessions"]}
    record = SessionRecord.objects.get(session=history[-1])
    last = body["sessions"][-1]
    assert last["title"] == history[-1].title
    assert last["held_on"] == record.held_on.isoformat()
    assert last["team"] == {"id": record.team_id, "name": record.team.name}
    assert last["scorecard"]["id"] == record.scorecard_id
    assert last["version"] == record.version.number
    assert last["calibrated"] == record.calibrated
    assert last["share_within"] == pytest.approx(record.share_within)
    assert last["alpha"]["estimate"] == pytest.approx(record.alpha)
    assert last["alpha"]["low"] == pytest.approx(record.alpha_low)
    assert last["mean_abs_deviation"] == pytest.approx(record.mean_abs_deviation)
    assert (last["evaluators"], last["contacts"]) == (3, record.contact_count)
    assert body["summary"]["sessions"] == 4
    assert body["summary"]["direction"]["sessions"] == 2


def test_an_evaluator_gets_only_their_sessions(users, version, team):
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    mine = stored_record(lead, version, team, days_ago(20))
    stored_record(lead, version, team, days_ago(10))
    Participant.objects.create(session=mine.session, user=evaluator)
    assert len(api(lead).get(URL).json()["sessions"]) == 2
    rows = api(evaluator).get(URL).json()["sessions"]
    assert [row["session"] for row in rows] == [mine.session_id]


def test_filters(users, version, team):
    lead = users[Role.QA_LEAD]
    billing = TeamFactory(name="Billing")
    for days in (200, 100, 20):
        stored_record(lead, version, team, days_ago(days))
    other = stored_record(lead, version, billing, days_ago(30))
    lead.all_teams = True  # the Billing team's records too
    lead.save()
    client = api(lead)

    def held(**query):
        body = client.get(URL, query).json()
        return [row["held_on"] for row in body["sessions"]], body["start"], body["end"]

    assert held(period="3m")[0] == [days_ago(30).isoformat(), days_ago(20).isoformat()]
    assert held(period="3m")[2] == timezone.localdate().isoformat()
    assert held(team=billing.pk)[0] == [other.held_on.isoformat()]
    assert held(date_from=days_ago(150), date_to=days_ago(25))[0] == [
        days_ago(100).isoformat(),
        days_ago(30).isoformat(),
    ]
    assert held(scorecard=version.scorecard_id, period="6m")[0] == [
        days_ago(100).isoformat(),
        days_ago(30).isoformat(),
        days_ago(20).isoformat(),
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"period": "5y"},
        {"team": "999999"},
        {"team": "x"},
        {"date_from": "2024-13-01"},
        {"date_from": "2024-05-01", "date_to": "2024-04-01"},
    ],
)
def test_invalid_filters_answer_400(users, query):
    response = api(users[Role.QA_LEAD]).get(URL, query)
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} <= set(query)


def test_no_session_no_summary(users):
    body = api(users[Role.QA_LEAD]).get(URL).json()
    assert body == {"start": None, "end": None, "summary": None, "sessions": []}


def test_queries_do_not_grow_with_the_sessions(users, version, team):
    lead = users[Role.QA_LEAD]
    client = api(lead)

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL, {"team": team.pk}).status_code == 200
        return len(context)

    for days in (40, 30):
        stored_record(lead, version, team, days_ago(days))
    count()  # the token's first use is written down once
    two = count()
    for days in (25, 20, 15, 10):
        stored_record(lead, version, team, days_ago(days))
    assert count() == two


def test_the_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "team",
        "scorecard",
        "period",
        "date_from",
        "date_to",
    }
    assert set(operation["responses"]) >= {"200", "400", "401", "403"}
