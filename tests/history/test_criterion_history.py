"""Criterion history (qalibrate/history/criterion_selectors.py): per session, pooled before and
after a change of wording, the pages, the endpoint and the builder's short history."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from qalibrate.accounts.models import Role
from qalibrate.agreement.coefficients import agreement_coefficients
from qalibrate.api import tokens
from qalibrate.evaluations.models import Answer
from qalibrate.history import criterion_selectors
from qalibrate.history.models import CriterionRecord
from qalibrate.scorecards import services as scorecards
from tests.helpers import criteria
from tests.history.criterion_helpers import (
    CONTACTS,
    GREET,
    NEED,
    NEW_NEED,
    completed_session,
    need_of,
    new_version,
)

# --- Helpers ----------------------------------------------------------------------------------


def raw_table(session, criterion_key, evaluators) -> list[list]:
    """The session's answers to the criterion as contacts × ``evaluators`` (user ids), read
    from the answers themselves: N/A and no answer as None, scale points as numbers."""
    answers = Answer.objects.filter(
        evaluation__session=session, criterion__key=criterion_key
    ).select_related("evaluation", "criterion")
    given = {(a.evaluation.contact_id, a.evaluation.evaluator_id): a for a in answers}
    rows = []
    for sc in session.session_contacts.order_by("position", "pk"):
        row = []
        for evaluator in evaluators:
            answer = given.get((sc.contact_id, evaluator))
            if answer is None or answer.is_na or answer.value == "":
                row.append(None)
            elif answer.criterion.kind == "scale":
                row.append(int(answer.value))
            else:
                row.append(answer.value)
        rows.append(row)
    return rows


def expected_ac2(sessions, key, evaluators) -> dict:
    """AC2 and weighted percent agreement of the sessions' raw tables stacked, computed here
    from the answers, with the scale's weights and categories (0-5, quadratic)."""
    table = [row for session in sessions for row in raw_table(session, key, evaluators)]
    return agreement_coefficients(
        table,
        categories=list(range(0, 6)),
        weights="quadratic",
        coefficients=("percent_agreement", "ac1"),
    )


@pytest.fixture
def evaluators(users, second_evaluator, third_evaluator):
    return [users[Role.EVALUATOR], second_evaluator, third_evaluator]


@pytest.fixture
def history(users, version, team, evaluators, second_evaluator):
    """Four completed sessions on v1 a fortnight apart; the second evaluator is lenient on the
    need in the last three."""
    return [
        completed_session(
            users[Role.QA_LEAD],
            evaluators,
            version,
            team,
            days_ago=days,
            lenient=second_evaluator if days < 60 else None,
        )
        for days in (60, 45, 30, 15)
    ]


@pytest.fixture
def reworded(history, users, version, team, evaluators, second_evaluator):
    """The history's four sessions on v1, then the need reworded in v2 and two sessions on
    it: the second evaluator still lenient in the first, not in the second."""
    lead = users[Role.QA_LEAD]
    v2 = new_version(lead, version)
    later = [
        completed_session(lead, evaluators, v2, team, days_ago=10, lenient=second_evaluator),
        completed_session(lead, evaluators, v2, team, days_ago=5),
    ]
    return {"v1": version, "v2": v2, "before": history, "after": later}


def ids(evaluators):
    return [u.pk for u in evaluators]


# --- Pooling ----------------------------------------------------------------------------------


def test_pooled_ac2_equals_the_concatenated_raw_tables(history, version, evaluators):
    key = need_of(version).key
    rows = {
        r.record.session_id: r
        for r in CriterionRecord.objects.filter(key=key).select_related("record")
    }
    # One session pooled alone gives its own figures, as recorded when it completed.
    for row in rows.values():
        alone = criterion_selectors.pooled([row.table])
        assert alone.ac1.value == pytest.approx(row.ac1, abs=1e-12)
        assert (alone.sessions, alone.contacts) == (1, CONTACTS)
    # Two sessions pooled: AC2 of their answers stacked, computed here from the answers.
    first, second = history[1], history[2]
    pooled = criterion_selectors.pooled([rows[first.pk].table, rows[second.pk].table])
    expected = expected_ac2([first, second], key, ids(evaluators))
    assert pooled.ac1.value == pytest.approx(expected["ac1"].value, abs=1e-12)
    assert pooled.ac1.se == pytest.approx(expected["ac1"].se, abs=1e-12)
    assert (pooled.ac1.low, pooled.ac1.high) == pytest.approx(
        (expected["ac1"].low, expected["ac1"].high), abs=1e-12
    )
    assert pooled.agreement.value == pytest.approx(expected["percent_agreement"].value)
    assert pooled.ac1.n == 2 * CONTACTS
    assert pooled.ac1.weights == "quadratic"


def test_pooling_unites_the_evaluators_by_id():
    first = {"evaluators": [1, 2], "rows": [["yes", "no"], ["yes", "yes"]]}
    second = {"evaluators": [2, 3], "rows": [["no", "na"]]}
    rows, evaluators = criterion_selectors.pooled_table([first, second])
    assert evaluators == [1, 2, 3]
    assert rows == [["yes", "no", None], ["yes", "yes", None], [None, "no", "na"]]
    assert criterion_selectors.pooled([]) == criterion_selectors.Pooled(0, None, None)


def test_difference_of_independent_estimates():
    before = agreement_coefficients([["yes", "no"], ["yes", "yes"], ["no", "no"], ["yes", "no"]])
    after = agreement_coefficients([["yes", "yes"], ["yes", "yes"], ["no", "no"], ["no", "no"]])
    found = criterion_selectors.difference(before["ac1"], after["ac1"])
    assert found.value == pytest.approx(after["ac1"].value - before["ac1"].value)
    assert found.se == pytest.approx((before["ac1"].se ** 2 + after["ac1"].se ** 2) ** 0.5)
    assert found.high - found.value == pytest.approx(1.959964 * found.se, rel=1e-6)
    assert criterion_selectors.difference(before["ac1"], None) is None


@pytest.mark.parametrize(
    ("low", "high", "verdict"),
    [(0.1, 0.5, "improved"), (-0.1, 0.5, "unclear"), (-0.5, -0.1, "worse")],
)
def test_the_verdict_reads_the_interval(low, high, verdict):
    found = criterion_selectors.Difference((low + high) / 2, 0.1, low, high, 0.95)
    assert found.verdict == verdict


# --- Before and after a change -----------------------------------------------------------------


def test_history_splits_at_the_version_that_changed_the_wording(reworded, users, evaluators):
    lead = users[Role.QA_LEAD]
    key = need_of(reworded["v1"]).key
    history = criterion_selectors.criterion_history(key=key, user=lead)
    assert [p.version for p in history.sessions] == [1, 1, 1, 1, 2, 2]
    assert history.criterion.text == NEW_NEED
    [change] = history.changes
    assert (change.previous, change.number) == (1, 2)
    assert {c["name"] for c in change.changes} == {"text", "guideline"}
    assert change.before.sessions == 4 and change.after.sessions == 2
    before = expected_ac2(reworded["before"], key, ids(evaluators))["ac1"]
    after = expected_ac2(reworded["after"], key, ids(evaluators))["ac1"]
    assert change.before.ac1.value == pytest.approx(before.value, abs=1e-12)
    assert change.after.ac1.value == pytest.approx(after.value, abs=1e-12)
    assert change.difference.value == pytest.approx(after.value - before.value, abs=1e-12)
    assert change.difference.se == pytest.approx((before.se**2 + after.se**2) ** 0.5)
    assert change.verdict in {"improved", "unclear", "worse"}
    assert change.verdict_text
    # The greeting's wording never changed: one stretch, no change.
    greet = criterion_selectors.criterion_history(
        key=criteria(reworded["v1"])[GREET].key, user=lead
    )
    assert greet.changes == [] and len(greet.sessions) == 6
    # The list: the newest version's criteria, with their sessions and trend.
    overview = criterion_selectors.criteria_overview(user=lead)
    lines = {line.criterion.text: line for line in overview.lines}
    assert overview.version == 2
    assert set(lines) == {GREET, "Verifies identity", NEW_NEED, "Information is correct"}
    need = lines[NEW_NEED]
    assert need.sessions == 6
    assert need.latest.agreement == pytest.approx(1.0)
    assert need.trend[0] == pytest.approx(1.0) and need.trend[1] == pytest.approx(1 / 3)
    assert need.trend_points == pytest.approx(0.0)


def test_a_change_of_points_is_not_one_of_wording_and_no_session_is_too_early(
    history, users, version
):
    lead = users[Role.QA_LEAD]
    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    greet, need = criteria(draft)[GREET], criteria(draft)[NEED]
    greet.points = 3
    greet.save()
    need.guideline = "Confirmed back to the customer."
    need.save()
    scorecards.version_publish(version=draft, user=lead, change_note="Weigh and clarify")
    assert criterion_selectors.criterion_history(key=greet.key, user=lead).changes == []
    [change] = criterion_selectors.criterion_history(key=need.key, user=lead).changes
    assert [c["name"] for c in change.changes] == ["guideline"]
    assert (change.before.sessions, change.after.sessions) == (4, 0)
    assert change.after.ac1 is None and change.difference is None
    assert change.verdict == "early"


# --- The pages and the endpoint, per role -------------------------------------------------------


ROLES = {
    Role.ADMIN: 200,
    Role.QA_LEAD: 200,
    Role.EVALUATOR: 200,
    Role.AGENT: 403,
}


def api_client(user):
    client = APIClient()
    if user is not None:
        _token, key = tokens.token_create(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_pages_and_endpoint_per_role(client, users, reworded, revealed):
    key = need_of(reworded["v1"]).key
    page = reverse("history_criterion", args=[key])
    for role, status in ROLES.items():
        client.force_login(users[role])
        response = client.get(page)
        assert response.status_code == status, role
        listing = client.get(reverse("history_criteria"))
        assert listing.status_code == status, role
        assert api_client(users[role]).get(f"/api/v1{page}").status_code == status, role
        if status != 200:
            continue
        html = response.content.decode()
        assert NEW_NEED in html and "<svg" in html and "v1 → v2" in html
        for session in reworded["before"] + reworded["after"]:
            assert reverse("session_report", args=[session.pk]) in html, role
        # The revealed session is not completed: nothing of it is in the history.
        assert revealed.title not in html
        assert page in listing.content.decode() and "<polyline" in listing.content.decode()
    client.logout()
    assert client.get(page).status_code == 302
    assert client.get(reverse("history_criteria")).status_code == 302
    assert api_client(None).get(f"/api/v1{page}").status_code == 401


def test_the_endpoint_sends_the_sessions_and_the_changes(users, reworded):
    key = need_of(reworded["v1"]).key
    body = api_client(users[Role.EVALUATOR]).get(f"/api/v1/history/criteria/{key}/").json()
    assert body["key"] == key and body["text"] == NEW_NEED and body["version"] == 2
    assert body["weights"] == "quadratic" and body["kind"] == "scale"
    assert [s["version"] for s in body["sessions"]] == [1, 1, 1, 1, 2, 2]
    [change] = body["changes"]
    assert change["version"] == 2 and change["previous_version"] == 1
    assert change["before"]["sessions"] == 4 and change["after"]["sessions"] == 2
    assert change["before"]["contacts"] == 4 * CONTACTS
    assert change["verdict"] in {"improved", "unclear", "worse"}
    assert {c["field"] for c in change["changes"]} == {"text", "guideline"}
    lead = api_client(users[Role.QA_LEAD])
    assert lead.get("/api/v1/history/criteria/nothing/").status_code == 404


def test_a_full_answer_matches_the_openapi_schema(users, reworded):
    """Every figure filled in (both sides of the change, the differences): what the endpoint
    sends matches what the schema promises."""
    import schemathesis
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections
    from schemathesis.specs.openapi.checks import response_schema_conformance

    _token, key = tokens.token_create(user=users[Role.QA_LEAD], name="schema")
    # As the test client does: a request must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
        operation = schema["/api/v1/history/criteria/{key}/"]["GET"]
        case = operation.Case(path_parameters={"key": need_of(reworded["v1"]).key})
        response = case.call(headers={"Authorization": f"Token {key}"})
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert response.status_code == 200, response.text
    assert response.json()["changes"][0]["difference"]["se"] > 0
    case.validate_response(response, checks=[response_schema_conformance])


def test_an_evaluator_sees_only_the_sessions_they_see(client, users, version, team, evaluators):
    from tests.factories import UserFactory

    completed_session(users[Role.QA_LEAD], evaluators, version, team, days_ago=20)
    url = reverse("history_criterion", args=[need_of(version).key])
    client.force_login(users[Role.EVALUATOR])
    assert (
        "No completed session has scored this criterion yet."
        not in client.get(url).content.decode()
    )
    client.force_login(UserFactory(username="outsider", role=Role.EVALUATOR))
    assert "No completed session has scored this criterion yet." in client.get(url).content.decode()
    assert client.get(reverse("history_criterion", args=["nothing"])).status_code == 404


# --- Beside a flagged criterion in the builder and the review page -----------------------------


def test_builder_and_review_show_the_history_of_a_flagged_criterion(client, users, reworded):
    lead = users[Role.QA_LEAD]
    draft = scorecards.draft_start(scorecard=reworded["v1"].scorecard, user=lead)
    draft.reviewers.add(users[Role.EVALUATOR], users[Role.AGENT])
    need_key = need_of(draft).key
    greet_key = criteria(draft)[GREET].key
    client.force_login(lead)
    for name in ("scorecard_builder", "scorecard_review"):
        html = client.get(reverse(name, args=[draft.pk])).content.decode()
        # The need had low agreement in its recent sessions: its history and the verdict.
        assert f'data-criterion-key="{need_key}"' in html, name
        assert reverse("history_criterion", args=[need_key]) in html, name
        assert "Did the last clarification (v1 → v2) work?" in html, name
        # The greeting was never flagged: nothing beside it.
        assert f'data-criterion-key="{greet_key}"' not in html, name
    # The builder redrawn by htmx after a change keeps it.
    section = draft.sections.first()
    response = client.post(
        reverse("section_move", args=[section.pk, "down"]), HTTP_HX_REQUEST="true"
    )
    assert f'data-criterion-key="{need_key}"' in response.content.decode()
    # A reviewer who sees the history sees it; an agent reviewer does not.
    client.force_login(users[Role.EVALUATOR])
    html = client.get(reverse("scorecard_review", args=[draft.pk])).content.decode()
    assert f'data-criterion-key="{need_key}"' in html
    client.force_login(users[Role.AGENT])
    response = client.get(reverse("scorecard_review", args=[draft.pk]))
    assert response.status_code == 200
    assert "clarification-history" not in response.content.decode()


def test_a_criterion_flagged_as_needing_clarification_shows_its_history(
    client, users, version, team, evaluators
):
    lead = users[Role.QA_LEAD]
    completed_session(lead, evaluators, version, team, days_ago=20, flag=GREET)
    histories = criterion_selectors.clarification_histories(
        user=lead,
        scorecard_id=version.scorecard_id,
        keys=[c.key for c in criteria(version).values()],
    )
    greet_key = criteria(version)[GREET].key
    assert set(histories) == {greet_key}
    assert histories[greet_key].needs_clarification
    assert not histories[greet_key].low_agreement
    assert histories[greet_key].change is None
    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    client.force_login(lead)
    html = client.get(reverse("scorecard_builder", args=[draft.pk])).content.decode()
    assert f'data-criterion-key="{greet_key}"' in html
    assert "Did the last clarification" not in html


# --- Query counts: the same with 2 sessions as with 6 ------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def cold_and_warm(client, url) -> tuple[int, int]:
    """Queries with nothing pooled in the cache yet, then with the stretches pooled."""
    cache.clear()
    return count_queries(client, url), count_queries(client, url)


@pytest.mark.slow
def test_query_counts_do_not_grow_with_sessions(client, users, version, team, evaluators):
    lead = users[Role.QA_LEAD]
    lenient = evaluators[1]
    for days in (90, 80):
        completed_session(lead, evaluators, version, team, days_ago=days, lenient=lenient)
    v2 = new_version(lead, version)
    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    key = need_of(version).key
    urls = [
        reverse("history_criterion", args=[key]),
        reverse("history_criteria"),
        reverse("scorecard_builder", args=[draft.pk]),
        reverse("scorecard_review", args=[draft.pk]),
        f"/api/v1/history/criteria/{key}/",
    ]
    client.force_login(lead)
    for url in urls:
        client.get(url)  # warm the caches (content types, sessions)
    few = [cold_and_warm(client, url) for url in urls]
    for days in (60, 50, 40, 30):
        completed_session(lead, evaluators, v2, team, days_ago=days, lenient=lenient)
    many = [cold_and_warm(client, url) for url in urls]
    assert many == few
    assert len(criterion_selectors.criterion_history(key=key, user=lead).sessions) == 6
