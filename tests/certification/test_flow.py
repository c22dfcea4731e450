"""A certification from its start to its verdict, blind, and who sees what."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration
from qalibrate.calibration.models import AgreedAnswer
from qalibrate.certification import services
from qalibrate.certification.models import Certification, CertificationStatus
from qalibrate.certification.selectors import gold_set
from qalibrate.double_scoring.models import Pair, Policy
from qalibrate.evaluations.services import (
    AnswerInput,
    evaluation_release,
    evaluation_save,
    evaluation_submit,
)
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def gold(users, second_round):
    """Two completed sessions of the team: eleven contacts with agreed answers."""
    lead = users[Role.QA_LEAD]
    calibration.session_complete(session=second_round, user=lead, summary="Round two")
    return second_round


@pytest.fixture
def candidate(team):
    person = UserFactory(username="newcomer", role=Role.EVALUATOR)
    person.teams.add(team)
    return person


@pytest.fixture
def started(users, gold, candidate, team, monkeypatch):
    monkeypatch.setattr(services, "order_random", random.Random(2))
    return services.certification_start(
        user=users[Role.QA_LEAD], evaluator=candidate, team=team, scorecard=gold.version.scorecard
    )


def score_gold(candidate, certification, *, as_agreed: bool):
    """The next gold contact scored: as the session agreed, or failing the critical identity
    check (the whole evaluation scores 0)."""
    evaluation = services.certification_next(user=candidate, certification=certification)
    agreed = AgreedAnswer.objects.filter(
        session_contact=evaluation.gold_attempt.gold
    ).select_related("criterion")
    answers = {
        a.criterion_id: AnswerInput(a.value, na=a.is_na)
        for a in agreed
        if as_agreed or a.criterion.text != "Verifies identity"
    }
    if not as_agreed:
        verify = next(a.criterion for a in agreed if a.criterion.text == "Verifies identity")
        answers[verify.pk] = AnswerInput("no")
    evaluation_save(evaluation=evaluation, user=candidate, answers=answers)
    evaluation_submit(evaluation=evaluation, user=candidate)
    certification.refresh_from_db()
    return evaluation


def test_the_gold_set_leaves_out_what_the_candidate_has_seen(users, gold, team, candidate):
    scorecard = gold.version.scorecard
    assert len(gold_set(team=team, scorecard=scorecard, evaluator=candidate)) == 11
    # The first evaluator took part in both sessions: nothing is gold for them.
    assert gold_set(team=team, scorecard=scorecard, evaluator=users[Role.EVALUATOR]) == []
    with pytest.raises(ValidationError):
        services.certification_start(
            user=users[Role.QA_LEAD],
            evaluator=users[Role.EVALUATOR],
            team=team,
            scorecard=scorecard,
        )


def test_scoring_as_the_team_agreed_certifies_after_the_minimum(started, candidate):
    for _ in range(4):
        score_gold(candidate, started, as_agreed=True)
        assert started.status == CertificationStatus.IN_PROGRESS
    score_gold(candidate, started, as_agreed=True)
    assert started.status == CertificationStatus.CERTIFIED
    assert started.mean_deviation == 0 and started.finished_at is not None
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied: it has ended)
        services.certification_next(user=candidate, certification=started)


def test_scoring_far_off_is_not_certified(started, candidate):
    for _ in range(5):
        score_gold(candidate, started, as_agreed=False)
    assert started.status == CertificationStatus.NOT_CERTIFIED
    assert started.low > float(started.tolerance)


def test_the_candidate_is_blind_to_the_agreed_scores_until_the_end(
    client, started, candidate, gold
):
    evaluation = score_gold(candidate, started, as_agreed=True)
    attempt = evaluation.gold_attempt
    client.force_login(candidate)
    page = client.get(reverse("certification_detail", args=[started.pk]))
    assert page.context["show_agreed"] is False
    assert "Agreed score" not in page.content.decode()
    # Nor through the session the gold contact came from.
    session = attempt.gold.session
    assert client.get(reverse("session_detail", args=[session.pk])).status_code in (403, 404)
    assert client.get(reverse("session_report", args=[session.pk])).status_code in (403, 404)
    home = client.get(reverse("home")).content.decode()
    assert "Score the next gold contact" in home


def test_who_sees_a_certification(client, users, started):
    other_lead = UserFactory(username="other-lead", role=Role.QA_LEAD)
    other_lead.teams.add(TeamFactory(name="Elsewhere"))
    url = reverse("certification_detail", args=[started.pk])
    for person, status in [
        (users[Role.QA_LEAD], 200),
        (users[Role.ADMIN], 200),
        (started.evaluator, 200),
        (users[Role.EVALUATOR], 404),
        (other_lead, 404),
        (users[Role.AGENT], 404),
    ]:
        client.force_login(person)
        assert client.get(url).status_code == status, person.username
    client.force_login(users[Role.AGENT])
    assert client.get(reverse("certification_list")).status_code == 403
    client.force_login(users[Role.EVALUATOR])
    assert client.get(reverse("certification_new")).status_code == 403
    response = client.post(reverse("certification_next", args=[started.pk]))
    assert response.status_code == 404


def test_the_qa_lead_starts_one_from_the_page(client, users, gold, candidate, team):
    client.force_login(users[Role.QA_LEAD])
    data = {
        "evaluator": candidate.pk,
        "team": team.pk,
        "scorecard": gold.version.scorecard_id,
        "tolerance": "5",
        "max_contacts": "12",
    }
    response = client.post(reverse("certification_new"), data)
    made = Certification.objects.get()
    assert response.status_code == 302 and len(made.plan) == 11
    again = client.post(reverse("certification_new"), data)
    assert "is running" in again.content.decode()


def test_a_gold_evaluation_is_never_shared_nor_drawn(users, started, candidate, team):
    Policy.objects.create(team=team, scorecard=started.scorecard, share_percent=100)
    evaluation = score_gold(candidate, started, as_agreed=True)
    assert not Pair.objects.exists()
    with pytest.raises(ValidationError):
        evaluation_release(evaluation=evaluation, user=users[Role.QA_LEAD])


def test_the_candidate_is_told_when_it_starts(started, candidate):
    from zoneinfo import ZoneInfo

    from django.utils import translation

    from qalibrate.notifications import messages
    from qalibrate.notifications.models import Kind, Notification

    (told,) = Notification.objects.filter(kind=Kind.CERTIFICATION)
    assert told.user == candidate
    assert told.url.endswith(f"/certification/{started.pk}/")
    for language, word in (("ru", "сертификац"), ("sv", "certifiering")):
        with translation.override(language):
            message = messages.render(told.kind, told.params, ZoneInfo("UTC"))
        assert word in message.subject.lower()
