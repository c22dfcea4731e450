"""Calibration sessions through the API: planning (the page's form and rules), the life cycle,
completion, the report's figures, follow-up actions; errors, language and throttling."""

import statistics
from datetime import timedelta

import pytest
from django.utils import timezone
from scipy import stats

from qalibrate.accounts.models import Role
from qalibrate.agreement.coefficients import COEFFICIENTS
from qalibrate.agreement.interpretation import benchmark
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import CalibrationSession, FollowUpAction
from qalibrate.evaluations.models import Evaluation
from qalibrate.reports.selectors import session_report
from tests.factories import AgentFactory, ContactFactory, UserFactory, build_scorecard
from tests.helpers import score_as


def error_fields(response) -> set:
    assert response.status_code == 400, response.json()
    return {error["field"] for error in response.json()["errors"]}


def test_plan_with_listed_contacts(lead, users, plan):
    response = lead.post("/api/v1/sessions/", plan, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    session = CalibrationSession.objects.get(pk=body["id"])
    assert (session.status, session.created_by, session.facilitator) == (
        "draft",
        users[Role.QA_LEAD],
        users[Role.QA_LEAD],
    )
    assert [c["contact"]["id"] for c in body["contacts"]] == plan["contacts"]
    assert {e["id"] for e in body["evaluators"]} == set(plan["evaluators"])
    assert [o["id"] for o in body["observers"]] == [users[Role.AGENT].pk]
    assert body["agenda"].startswith("1. Start with the contacts")
    assert body["tolerance"] == 5.0 and body["duration_minutes"] == 60
    assert body["can_run"] is True and body["can_see_answers"] is False


def test_plan_by_sampling_spread_over_agents(lead, plan, team):
    del plan["contacts"]
    plan["sample_size"] = 5
    response = lead.post("/api/v1/sessions/", plan, format="json")
    assert response.status_code == 201, response.json()
    contacts = response.json()["contacts"]
    assert len(contacts) == 5 and len({c["contact"]["agent"] for c in contacts}) == 5
    plan["sample_size"] = 10
    assert error_fields(lead.post("/api/v1/sessions/", plan, format="json")) == {"sample_size"}


@pytest.mark.parametrize(
    "change, fields",
    [
        (lambda p, x: p.update(evaluators=p["evaluators"][:1]), {"evaluators"}),
        (lambda p, x: p.update(contacts=[*p["contacts"][:4], 999999]), {"contacts"}),
        (lambda p, x: p.update(contacts=p["contacts"][:1] * 5), {"contacts"}),
        (lambda p, x: p.update(version=x["draft"]), {"version"}),
        (
            lambda p, x: p.update(
                scoring_deadline=p["meeting_at"], meeting_at=p["scoring_deadline"]
            ),
            {"scoring_deadline"},
        ),
        (lambda p, x: p.update(reference_mode="expert"), {"expert"}),
        (lambda p, x: p.update(facilitator=x["evaluator"]), {"facilitator"}),
        (lambda p, x: p.update(observers=[x["evaluator"]]), {"observers"}),
        (lambda p, x: p.pop("title"), {"title"}),
        (lambda p, x: p.update(tolerance="lots"), {"tolerance"}),
        (lambda p, x: p.update(evaluators=["a", "b"]), {"evaluators.0", "evaluators.1"}),
    ],
)
def test_plan_errors_name_the_field(lead, users, plan, change, fields):
    extra = {
        "draft": build_scorecard(users[Role.QA_LEAD], name="Draft").draft.pk,
        "evaluator": users[Role.EVALUATOR].pk,
    }
    change(plan, extra)
    assert error_fields(lead.post("/api/v1/sessions/", plan, format="json")) == fields
    assert not CalibrationSession.objects.exists()


def test_life_cycle_through_the_api(api, users, session, second_evaluator):
    lead = api(users[Role.QA_LEAD])
    url = f"/api/v1/sessions/{session.pk}"
    assert lead.post(f"{url}/reveal/").json()["errors"] == [
        {"field": None, "message": "A session that is Planned cannot do that.", "code": "invalid"}
    ]
    body = lead.post(f"{url}/open/").json()
    assert body["status"] == "scoring"
    assert [e["to_status"] for e in body["events"]] == ["scoring"]
    assert lead.post(f"{url}/complete/", {"summary": "x"}, format="json").status_code == 400
    assert lead.post(f"{url}/reveal/").json()["status"] == "discussion"
    missing = lead.post(f"{url}/complete/", {}, format="json")
    assert error_fields(missing) == {"summary"}
    done = lead.post(
        f"{url}/complete/", {"summary": "Agreed.", "share_with_agents": True}, format="json"
    )
    assert done.status_code == 200, done.json()
    assert done.json()["session"]["status"] == "completed"
    assert done.json()["session"]["summary"] == "Agreed."
    assert done.json()["official_evaluations"] == [] and done.json()["kept_contacts"] == []
    assert lead.post(f"{url}/cancel/").status_code == 400


def test_opening_needs_two_evaluators(lead, users, plan):
    session = lead.post("/api/v1/sessions/", plan, format="json").json()
    CalibrationSession.objects.get(pk=session["id"]).participants.filter(
        user=users[Role.EVALUATOR]
    ).delete()
    response = lead.post(f"/api/v1/sessions/{session['id']}/open/")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invite at least two evaluators."


def test_complete_makes_official_evaluations(lead, revealed):
    response = lead.post(
        f"/api/v1/sessions/{revealed.pk}/complete/",
        {"summary": "Agreed.", "agreed_becomes_official": True},
        format="json",
    )
    official = response.json()["official_evaluations"]
    assert len(official) == 6
    assert set(Evaluation.objects.filter(agreed_in=revealed).values_list("pk", flat=True)) == set(
        official
    )


def test_session_list_filters(lead, session, plan):
    lead.post("/api/v1/sessions/", plan, format="json")
    services.session_move(session=session, user=session.facilitator, action="cancel")
    titles = lambda q: [s["title"] for s in lead.get(f"/api/v1/sessions/?{q}").json()["results"]]  # noqa: E731
    assert titles("status=cancelled") == ["March calibration"]
    assert titles("status=draft") == ["April calibration"]
    assert titles("ordering=meeting_at") == ["March calibration", "April calibration"]
    assert lead.get("/api/v1/sessions/?status=lost").status_code == 400


# --- the report -----------------------------------------------------------------------------


def test_report_has_every_figure_of_the_page(lead, revealed, second_evaluator):
    body = lead.get(f"/api/v1/sessions/{revealed.pk}/report/").json()
    result = meeting_selectors.discussion_with_history(revealed)
    report = session_report(revealed)
    head = body["headline"]
    assert head["calibrated"] is result.calibrated is False
    assert head["share_within"] == pytest.approx(result.share_within)
    assert head["alpha"]["estimate"] == pytest.approx(result.totals.alpha.estimate)
    assert head["alpha"]["low"] == pytest.approx(result.totals.alpha.low)
    assert head["alpha"]["se"] == pytest.approx(result.totals.alpha.se)
    # Six contacts × three evaluators: the coverage benchmark found the jackknife interval
    # keeps its promise from 5 × 3 (agreement/coverage.py), so it is not approximate.
    assert (head["alpha"]["n"], head["alpha"]["approximate"]) == (6, False)
    assert head["alpha"]["confidence"] == 0.95
    assert (head["contacts"], head["evaluators"], head["answers"]) == (6, 3, 17 * 4)
    assert head["icc"] is None  # the third evaluator left a draft: the panel is incomplete
    evaluators = {e["label"]: e for e in body["evaluators"]}
    for row in result.evaluators:
        got = evaluators[row.label]
        assert got["user"] == row.user.pk and got["scored"] == row.scored
        assert got["mean_abs"] == pytest.approx(row.deviation.mean_abs)
        assert got["bias"] == pytest.approx(row.deviation.bias)
        assert got["within_tolerance"] == row.deviation.within_tolerance
    assert [c["contact"]["id"] for c in body["contacts"]] == [r.contact.pk for r in result.contacts]
    for got, row in zip(body["contacts"], result.contacts, strict=True):
        assert got["reference_total"] == pytest.approx(row.reference_total)
        assert got["spread"]["spread"] == pytest.approx(row.spread.spread)
        assert len(got["cells"]) == 3  # the heat map: one cell per evaluator
        assert [c["deviation"] for c in got["cells"]] == pytest.approx(
            [c["deviation"] for c in row.cells]
        )
    assert [c["criterion"] for c in body["criteria"]] == [c.criterion.pk for c in result.criteria]
    for got, row in zip(body["criteria"], result.criteria, strict=True):
        assert got["agreement"] == pytest.approx(row.agreement)
        assert got["low_agreement"] == row.low_agreement
        assert got["weights"] == row.figures.weights
        assert list(got["coefficients"]) == list(COEFFICIENTS)
        for key, estimate in got["coefficients"].items():
            expected = row.figures.coefficients.get(key)
            if expected is None:
                assert estimate is None, key
                continue
            assert estimate["value"] == pytest.approx(expected.value)
            assert (estimate["low"], estimate["high"]) == pytest.approx(
                (expected.low, expected.high)
            )
            assert (estimate["n"], estimate["weights"]) == (expected.n, row.figures.weights)
            reading = estimate["benchmark"]
            if key == "percent_agreement":
                assert reading is None
            else:
                # Read with the standard error the interval shows below the value.
                implied = (expected.value - expected.low) / 1.959964
                words = benchmark(expected.value, implied or expected.se)
                assert (reading["scale"], reading["level"]) == ("landis_koch", words.level)
    kinds = {c["kind"]: c["weights"] for c in body["criteria"]}
    assert kinds["yes_no"] == "identity" and kinds["options"] == "ordinal"
    assert len(body["raw_answers"]) == len(report.raw) == 17 * 4
    assert body["previous_session"] is None and body["anonymous"] is False


def test_anonymous_report_names_nobody(lead, revealed, second_evaluator):
    body = lead.get(f"/api/v1/sessions/{revealed.pk}/report/?anonymous=1").json()
    assert body["anonymous"] is True
    assert {e["user"] for e in body["evaluators"]} == {None}
    assert sorted(e["label"] for e in body["evaluators"]) == [
        "Evaluator A",
        "Evaluator B",
        "Evaluator C",
    ]
    text = str(body)
    assert str(second_evaluator) not in text
    # The comparisons with the reference are there, keyed by criterion, never by person.
    named = lead.get(f"/api/v1/sessions/{revealed.pk}/report/").json()["evaluators"]
    assert sorted(str(e["versus_reference"]) for e in body["evaluators"]) == sorted(
        str(e["versus_reference"]) for e in named
    )
    assert all(e["criteria_versus_reference"] for e in body["evaluators"])
    assert {r["evaluator"] for r in body["raw_answers"]} <= {
        "Evaluator A",
        "Evaluator B",
        "Evaluator C",
    }


def test_report_compares_each_evaluator_with_the_reference(lead, revealed, second_evaluator):
    body = lead.get(f"/api/v1/sessions/{revealed.pk}/report/").json()
    result = meeting_selectors.discussion_with_history(revealed)
    rows = {row.label: row for row in result.evaluators}
    for k, got in enumerate(body["evaluators"]):
        row = rows[got["label"]]
        assert got["is_reference"] is False  # consensus mode: nobody's scores are the reference
        # Bland and Altman (1986): the mean difference from the reference and mean ± 1.96 SD,
        # from the heat map's deviations (total minus reference total) of this evaluator.
        deviations = [c["cells"][k]["deviation"] for c in body["contacts"]]
        deviations = [d for d in deviations if d is not None]
        limits = got["versus_reference"]
        assert limits["n"] == len(deviations) == row.scored
        assert limits["bias"] == pytest.approx(statistics.mean(deviations))
        spread = stats.norm.ppf(0.975) * statistics.stdev(deviations)
        assert limits["lower_limit"] == pytest.approx(limits["bias"] - spread)
        assert limits["upper_limit"] == pytest.approx(limits["bias"] + spread)
        assert limits["bias_low"] < limits["bias"] < limits["bias_high"]
        assert limits["upper_limit_low"] < limits["upper_limit"] < limits["upper_limit_high"]
        compared = got["criteria_versus_reference"]
        assert [c["criterion"] for c in compared] == [
            c.criterion.pk for c in row.criteria_versus_reference
        ]
        for item, expected in zip(compared, row.criteria_versus_reference, strict=True):
            assert (item["n"], item["same"], item["weights"]) == (
                expected.n,
                expected.same,
                expected.weights,
            )
            for name in ("kappa", "ac1"):
                estimate = getattr(expected, name)
                if estimate is None:
                    assert item[name] is None
                else:
                    assert item[name]["value"] == pytest.approx(estimate.value)
                    assert item[name]["n"] == estimate.n
                    assert item[name]["low"] == pytest.approx(estimate.low)


def test_report_icc_of_a_complete_panel_with_intervals(
    lead, users, session, second_evaluator, monkeypatch
):
    pd = pytest.importorskip("pandas")
    pingouin = pytest.importorskip("pingouin")
    monkeypatch.setitem(pingouin.options, "round.column.CI95", None)  # unrounded intervals
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    first = users[Role.EVALUATOR]
    contacts = [sc.contact for sc in session.session_contacts.all()]
    answers = [("yes", "3"), ("no", "1"), ("yes", "5"), ("no", "3"), ("yes", "1"), ("no", "5")]
    for i, (contact, (greet, need)) in enumerate(zip(contacts, answers, strict=True)):
        score_as(first, session, contact, greet=greet, need=need)
        score_as(
            second_evaluator,
            session,
            contact,
            greet=greet,
            need=need,
            verify="no" if i % 2 else "yes",
        )
    services.session_move(session=session, user=users[Role.QA_LEAD], action="reveal")
    body = lead.get(f"/api/v1/sessions/{session.pk}/report/").json()
    icc = body["headline"]["icc"]
    assert list(icc) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    # pingouin's intraclass_corr on the totals the report shows.
    totals = [[cell["total"] for cell in contact["cells"]] for contact in body["contacts"]]
    long = pd.DataFrame(
        [
            {"contact": i, "evaluator": k, "total": total}
            for i, row in enumerate(totals)
            for k, total in enumerate(row)
        ]
    )
    table = pingouin.intraclass_corr(long, "contact", "evaluator", "total").set_index("Type")
    names = ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]
    for key, name in zip(icc, names, strict=True):
        assert icc[key]["value"] == pytest.approx(table.loc[name, "ICC"]), key
        assert [icc[key]["low"], icc[key]["high"]] == pytest.approx(
            list(table.loc[name, "CI95"])
        ), key
        assert icc[key]["confidence"] == 0.95


def test_report_with_too_little_data_has_nulls_not_nan(lead, users, session, second_evaluator):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    services.session_move(session=session, user=users[Role.QA_LEAD], action="reveal")
    response = lead.get(f"/api/v1/sessions/{session.pk}/report/")
    assert response.status_code == 200
    assert b"NaN" not in response.content
    body = response.json()
    assert body["headline"]["alpha"] is None and body["raw_answers"] == []


# --- follow-up actions ----------------------------------------------------------------------


def test_action_status_and_listing(api, users, revealed):
    owner = users[Role.EVALUATOR]
    action = services.action_add(
        session=revealed,
        user=revealed.facilitator,
        description="Clarify the greeting",
        owner=owner,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    client = api(owner)
    listed = client.get("/api/v1/actions/").json()["results"]
    assert [(a["id"], a["is_overdue"], a["can_update"]) for a in listed] == [
        (action.pk, True, True)
    ]
    assert listed[0]["session"] == {"id": revealed.pk, "title": revealed.title}
    bad = client.patch(f"/api/v1/actions/{action.pk}/", {"status": "finished"}, format="json")
    assert error_fields(bad) == {"status"}
    done = client.patch(f"/api/v1/actions/{action.pk}/", {"status": "done"}, format="json")
    assert done.json()["status"] == "done" and done.json()["done_at"]
    assert FollowUpAction.objects.get().done_at is not None
    assert client.get("/api/v1/actions/").json()["count"] == 0
    assert client.get("/api/v1/actions/?include_done=true").json()["count"] == 1
    assert client.put(f"/api/v1/actions/{action.pk}/", {"status": "open"}).status_code == 405


# --- errors, language, throttling -----------------------------------------------------------


def test_errors_are_json_everywhere_under_api(lead):
    unusual = "/api/v1/sessions/%C2%89%0At/participants/"  # a newline in the path
    for url in ["/api/v1/nothing/", "/api/v1/sessions/abc/", f"/api/v1/sessions/{2**64}/", unusual]:
        response = lead.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["detail"] and response.json()["errors"] == []
    response = lead.delete("/api/v1/sessions/")
    assert response.status_code == 405 and response.json()["errors"] == []


def test_messages_in_the_users_language_unless_the_request_asks(api, users, session):
    evaluator = users[Role.EVALUATOR]
    evaluator.language = "ru"
    evaluator.save()
    client = api(evaluator)
    response = client.post(f"/api/v1/sessions/{session.pk}/open/")
    assert response.status_code == 403
    assert "недостаточно" in response.json()["detail"].lower()
    english = client.post(f"/api/v1/sessions/{session.pk}/open/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "You do not have permission to perform this action."


def test_times_in_the_users_time_zone(api, users, session):
    lead = users[Role.QA_LEAD]
    lead.time_zone = "Europe/Stockholm"
    lead.save()
    body = api(lead).get(f"/api/v1/sessions/{session.pk}/").json()
    assert body["meeting_at"].endswith(("+01:00", "+02:00"))


def test_throttling_counts_per_token(api, users, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "2/minute"},
    }
    user = users[Role.EVALUATOR]
    first, second = api(user), api(user)
    assert [first.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = first.get("/api/v1/me/")
    assert refused.json()["detail"].startswith("Request was throttled")
    assert int(refused["Retry-After"]) > 0
    assert second.get("/api/v1/me/").status_code == 200  # another token: its own count
    anonymous = api()
    assert [anonymous.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


def test_anonymous_clients_cannot_dodge_the_limit_with_a_forged_address(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "2/minute"},
    }
    anonymous = api()
    statuses = [
        anonymous.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_another_users_token_is_not_throttled_by_mine(api, users, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1/minute", "anon": "1/minute"},
    }
    mine = api(users[Role.EVALUATOR])
    assert mine.get("/api/v1/me/").status_code == 200
    assert mine.get("/api/v1/me/").status_code == 429
    assert api(users[Role.QA_LEAD]).get("/api/v1/me/").status_code == 200


def test_session_list_needs_no_extra_queries_per_session(lead, plan, django_assert_max_num_queries):
    for i in range(3):
        lead.post("/api/v1/sessions/", {**plan, "title": f"S{i}"}, format="json")
    with django_assert_max_num_queries(8):
        assert lead.get("/api/v1/sessions/").json()["count"] == 3


def test_invite_more_participants_until_the_reveal(lead, users, plan):
    session = lead.post("/api/v1/sessions/", plan, format="json").json()
    third = UserFactory(role=Role.EVALUATOR)
    observer = AgentFactory(user=UserFactory(role=Role.AGENT)).user
    url = f"/api/v1/sessions/{session['id']}/participants/"
    response = lead.post(url, {"evaluators": [third.pk], "observers": [observer.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert third.pk in {e["id"] for e in response.json()["evaluators"]}
    assert observer.pk in {o["id"] for o in response.json()["observers"]}
    # Adding someone again changes nothing; an agent cannot be an evaluator.
    assert lead.post(url, {"evaluators": [third.pk]}, format="json").status_code == 200
    assert CalibrationSession.objects.get(pk=session["id"]).participants.count() == 5
    assert error_fields(lead.post(url, {"evaluators": [observer.pk]}, format="json")) == {
        "evaluators"
    }
    services.session_move(
        session=CalibrationSession.objects.get(pk=session["id"]),
        user=users[Role.QA_LEAD],
        action="open",
    )
    services.session_move(
        session=CalibrationSession.objects.get(pk=session["id"]),
        user=users[Role.QA_LEAD],
        action="reveal",
    )
    late = lead.post(url, {"evaluators": [UserFactory(role=Role.EVALUATOR).pk]}, format="json")
    assert late.status_code == 400
    assert "until the scores are revealed" in late.json()["detail"]


def test_only_those_who_run_the_session_invite(api, users, plan, lead):
    session = lead.post("/api/v1/sessions/", plan, format="json").json()
    url = f"/api/v1/sessions/{session['id']}/participants/"
    third = UserFactory(role=Role.EVALUATOR)
    evaluator = api(users[Role.EVALUATOR])
    assert evaluator.post(url, {"evaluators": [third.pk]}, format="json").status_code == 403
    other_lead = api(UserFactory(role=Role.QA_LEAD))
    assert other_lead.post(url, {"evaluators": [third.pk]}, format="json").status_code in (403, 404)
    assert (
        not CalibrationSession.objects.get(pk=session["id"])
        .participants.filter(user=third)
        .exists()
    )


def test_add_contacts_to_a_planned_session(lead, users, plan, team):
    plan["contacts"] = plan["contacts"][:5]
    session = lead.post("/api/v1/sessions/", plan, format="json").json()
    url = f"/api/v1/sessions/{session['id']}/contacts/"
    extra = [ContactFactory(agent=AgentFactory(team=team)) for _ in range(6)]
    response = lead.post(url, {"contacts": [extra[0].pk, plan["contacts"][0]]}, format="json")
    assert response.status_code == 200, response.json()
    assert [c["contact"]["id"] for c in response.json()["contacts"]] == [
        *plan["contacts"],
        extra[0].pk,
    ]
    too_many = lead.post(url, {"contacts": [c.pk for c in extra[1:]]}, format="json")
    assert too_many.status_code == 400 and "it has 11" in too_many.json()["detail"]
    assert error_fields(lead.post(url, {"contacts": [999999]}, format="json")) == {"contacts"}
    assert CalibrationSession.objects.get(pk=session["id"]).session_contacts.count() == 6
    services.session_move(
        session=CalibrationSession.objects.get(pk=session["id"]),
        user=users[Role.QA_LEAD],
        action="open",
    )
    assert lead.post(url, {"contacts": [extra[1].pk]}, format="json").status_code == 400
