"""Scoring through the API, as an automatic scorer does: start, save, submit, under the page's
rules. Blind until the reveal, revisions (409 on a stale one, nothing saved), validation named
by field, all or nothing on submit, only one's own evaluation, only an invited evaluator in a
session open for scoring."""

import pytest

from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration_services
from qalibrate.evaluations.models import Evaluation
from tests.factories import ContactFactory, UserFactory
from tests.helpers import criteria, score_as


@pytest.fixture
def scorer(session):
    """An automatic scorer invited to the session as an evaluator."""
    robot = UserFactory(username="robot", role=Role.EVALUATOR, is_automatic=True)
    robot.teams.add(session.team)
    calibration_services.participants_add(
        session=session, user=session.facilitator, evaluators=[robot]
    )
    return robot


@pytest.fixture
def scoring(users, session):
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    session.refresh_from_db()
    return session


def full_answers(version, **changes):
    c = criteria(version)
    values = {
        "Greets with own name": "yes",
        "Verifies identity": "yes",
        "Understands the need": "3",
        "Information is correct": "Correct",
    } | changes
    return [{"criterion": c[text].pk, "value": value} for text, value in values.items()]


def test_an_automatic_scorer_scores_a_session_contact_blind(api, users, scorer, scoring):
    client = api(scorer)
    contact = scoring.session_contacts.first().contact
    started = client.post(
        "/api/v1/evaluations/", {"contact": contact.pk, "session": scoring.pk}, format="json"
    )
    assert started.status_code == 201, started.json()
    evaluation = started.json()
    assert evaluation["evaluator"] == {"id": scorer.pk, "name": str(scorer), "is_automatic": True}
    again = client.post(
        "/api/v1/evaluations/", {"contact": contact.pk, "session": scoring.pk}, format="json"
    )
    assert (again.status_code, again.json()["id"]) == (200, evaluation["id"])

    url = f"/api/v1/evaluations/{evaluation['id']}/"
    body = {"answers": full_answers(scoring.version)[:2], "revision": evaluation["revision"]}
    saved = client.patch(url, body, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["revision"] == evaluation["revision"] + 1
    stale = client.patch(url, body, format="json")  # the old revision again
    assert stale.status_code == 409
    assert len(Evaluation.objects.get().answers.all()) == 2

    incomplete = client.post(f"{url}submit/", {}, format="json")
    assert incomplete.status_code == 400
    assert "Understands the need" in incomplete.json()["detail"]
    rest = {"answers": full_answers(scoring.version)[2:]}
    submitted = client.post(f"{url}submit/", rest, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["score"] is not None

    # Blind: the other evaluators and the QA lead do not see it before the reveal.
    for someone in (users[Role.EVALUATOR], users[Role.QA_LEAD]):
        assert api(someone).get(url).status_code == 404
    assert client.patch(url, rest, format="json").status_code == 400  # submitted: locked


def test_a_refused_submit_saves_nothing(api, scorer, scoring):
    client = api(scorer)
    contact = scoring.session_contacts.first().contact
    made = client.post(
        "/api/v1/evaluations/", {"contact": contact.pk, "session": scoring.pk}, format="json"
    ).json()
    answers = full_answers(scoring.version)[:3]
    refused = client.post(f"/api/v1/evaluations/{made['id']}/submit/", {"answers": answers})
    assert refused.status_code == 400
    evaluation = Evaluation.objects.get()
    assert (evaluation.status, evaluation.answers.count(), evaluation.revision) == ("draft", 0, 0)


def test_answers_are_checked_by_field(api, scorer, scoring, version):
    client = api(scorer)
    contact = scoring.session_contacts.first().contact
    made = client.post(
        "/api/v1/evaluations/", {"contact": contact.pk, "session": scoring.pk}, format="json"
    ).json()
    url = f"/api/v1/evaluations/{made['id']}/"
    c = criteria(version)
    for answers, field in [
        ([{"criterion": c["Understands the need"].pk, "value": "9"}], None),
        ([{"criterion": c["Greets with own name"].pk, "is_na": True}], None),
        ([{"criterion": 999_999, "value": "yes"}], "answers.0.criterion"),
        ([{"criterion": c["Verifies identity"].pk}] * 2, "answers"),
        ([{"value": "yes"}], "answers.0.criterion"),
    ]:
        refused = client.patch(url, {"answers": answers}, format="json")
        assert refused.status_code == 400, (answers, refused.json())
        if field:
            assert refused.json()["errors"][0]["field"] == field
    assert Evaluation.objects.get().answers.count() == 0


def test_only_an_invited_evaluator_of_an_open_session(api, users, session, scorer):
    contact = session.session_contacts.first().contact
    body = {"contact": contact.pk, "session": session.pk}
    planned = api(scorer).post("/api/v1/evaluations/", body, format="json")
    assert planned.status_code == 403, planned.json()
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    outsider = UserFactory(role=Role.EVALUATOR, is_automatic=True)
    outsider.teams.add(session.team)
    unseen = api(outsider).post("/api/v1/evaluations/", body, format="json")
    assert unseen.status_code == 400  # a session one is not part of is not there for one
    assert unseen.json()["errors"][0]["field"] == "session"
    other = ContactFactory(agent=contact.agent)
    strange = {"contact": other.pk, "session": session.pk}
    refused = api(scorer).post("/api/v1/evaluations/", strange, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "contact"
    agent = api(users[Role.AGENT]).post("/api/v1/evaluations/", body, format="json")
    assert agent.status_code == 403
    assert not Evaluation.objects.exists()


def test_outside_a_session_on_a_published_version(api, users, version, session):
    contact = ContactFactory(agent=session.session_contacts.first().contact.agent)
    client = api(users[Role.EVALUATOR])
    missing = client.post("/api/v1/evaluations/", {"contact": contact.pk}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "version"
    made = client.post(
        "/api/v1/evaluations/", {"contact": contact.pk, "version": version.pk}, format="json"
    )
    assert made.status_code == 201, made.json()
    assert made.json()["session"] is None


def test_nobody_saves_anothers_evaluation(api, users, scoring, second_evaluator, version):
    contact = scoring.session_contacts.first().contact
    evaluation = score_as(users[Role.EVALUATOR], scoring, contact, submit=False)
    url = f"/api/v1/evaluations/{evaluation.pk}/"
    body = {"answers": full_answers(scoring.version)}
    for someone in (second_evaluator, users[Role.ADMIN]):  # blind: not even seen
        assert api(someone).patch(url, body, format="json").status_code == 404
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.revision) == ("draft", 1)
    # Seen (submitted, outside any session) is not one's own to change.
    seen = score_as(users[Role.EVALUATOR], None, contact, version=version)
    url = f"/api/v1/evaluations/{seen.pk}/"
    assert api(users[Role.ADMIN]).get(url).status_code == 200
    assert api(users[Role.ADMIN]).patch(url, body, format="json").status_code == 403
    assert api(users[Role.ADMIN]).post(f"{url}submit/", {}, format="json").status_code == 403


def test_the_reveal_closes_scoring_through_the_api(api, users, scorer, scoring):
    client = api(scorer)
    contact = scoring.session_contacts.first().contact
    made = client.post(
        "/api/v1/evaluations/", {"contact": contact.pk, "session": scoring.pk}, format="json"
    ).json()
    for evaluator in (users[Role.EVALUATOR], scoring.participants.exclude(user=scorer)[1].user):
        for session_contact in scoring.session_contacts.all():
            score_as(evaluator, scoring, session_contact.contact)
    calibration_services.session_move(session=scoring, user=users[Role.QA_LEAD], action="reveal")
    late = client.post(
        f"/api/v1/evaluations/{made['id']}/submit/",
        {"answers": full_answers(scoring.version)},
        format="json",
    )
    assert late.status_code == 400
    assert "no longer taking scores" in late.json()["detail"]


def test_after_the_reveal_the_scorer_is_marked_among_the_evaluators(
    api, client, users, scorer, scoring
):
    robot = api(scorer)
    for session_contact in scoring.session_contacts.all():
        made = robot.post(
            "/api/v1/evaluations/",
            {"contact": session_contact.contact_id, "session": scoring.pk},
            format="json",
        ).json()
        body = {"answers": full_answers(scoring.version, **{"Understands the need": "4"})}
        assert robot.post(f"/api/v1/evaluations/{made['id']}/submit/", body).status_code == 200
        score_as(users[Role.EVALUATOR], scoring, session_contact.contact)
    calibration_services.session_move(session=scoring, user=users[Role.QA_LEAD], action="reveal")
    client.force_login(users[Role.QA_LEAD])
    page = client.get(f"/sessions/{scoring.pk}/discussion/").content.decode()
    assert page.count('class="badge automatic"') == 1
    report = client.get(f"/reports/sessions/{scoring.pk}/").content.decode()
    assert 'class="badge automatic"' in report
