"""The demo's gold-set certifications (qalibrate/demo/certification.py): Hannah Reid, new in
Customer support and in no session, was certified from the team's gold set, her deviations small
but not all zero; Полина Зайцева, new in Служба поддержки, has scored two gold contacts and her
home page offers the next. Built once for the module, as test_demo_double_scoring.py does."""

import random
from datetime import timedelta
from statistics import mean

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role, User
from qalibrate.calibration.models import Participant
from qalibrate.certification import rule, selectors, services
from qalibrate.certification.models import Certification, CertificationStatus
from qalibrate.demo.builder import build_demo
from qalibrate.double_scoring.models import Pair
from qalibrate.evaluations.models import Evaluation, EventKind

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = build_demo()
        yield summary
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def hannah(demo, db):
    return User.objects.get(username="hannah.reid")


@pytest.fixture
def polina(demo, db):
    return User.objects.get(username="polina.zaitseva")


def _certification(user: User) -> Certification:
    (certification,) = Certification.objects.filter(evaluator=user).select_related(
        "team", "scorecard", "started_by"
    )
    return certification


def _gold_evaluations(user: User):
    return Evaluation.objects.filter(gold_attempt__certification__evaluator=user)


def test_a_new_evaluator_in_customer_support_who_was_in_no_session(demo, hannah):
    assert hannah.role == Role.EVALUATOR and not hannah.is_automatic
    assert list(hannah.teams.values_list("name", flat=True)) == ["Customer support"]
    assert (hannah.language, hannah.time_zone) == ("en", "Europe/London")
    # Her password is the demo's (test_demo.py checks every person's): she logs in.
    assert hannah.has_usable_password()
    assert (Role.EVALUATOR.label, "hannah.reid", "Hannah Reid") in demo.logins
    assert timezone.now() - timedelta(days=21) < hannah.date_joined
    assert not Participant.objects.filter(user=hannah).exists()
    # Every evaluation of hers is a gold one.
    everything = Evaluation.objects.filter(evaluator=hannah)
    assert everything.count() == _gold_evaluations(hannah).count() > 0
    assert not everything.filter(Q(session__isnull=False) | Q(agreed_in__isnull=False)).exists()


def test_she_is_certified_from_the_gold_set(hannah):
    certification = _certification(hannah)
    assert certification.status == CertificationStatus.CERTIFIED
    assert certification.team.name == "Customer support"
    assert certification.scorecard.name == "Inbound support call"
    assert certification.started_by.username == "maria.lindqvist"
    attempts = list(certification.attempts.select_related("gold__session", "evaluation"))
    assert 5 <= len(attempts) <= 12
    # The team's gold set: she was in none of its sessions (now she has evaluated these).
    gold = selectors.gold_set(team=certification.team, scorecard=certification.scorecard)
    deviations = []
    for attempt in attempts:
        # Her own contact, scored on the version its session agreed on.
        assert attempt.gold_id in gold and attempt.gold_id in certification.plan
        assert attempt.evaluation.version_id == attempt.gold.session.version_id
        assert attempt.evaluation.contact_id == attempt.gold.contact_id
        assert attempt.agreed_score == attempt.gold.agreed_score
        assert attempt.score == attempt.evaluation.score
        deviations.append(attempt.deviation)
    tolerance = float(certification.tolerance)
    assert tolerance == 5
    # Close to the team, but not a copy of its answers.
    assert all(0 <= d <= 4 for d in deviations) and any(d > 0 for d in deviations)
    assert certification.mean_deviation == pytest.approx(mean(deviations))
    assert certification.mean_deviation <= tolerance and certification.high <= tolerance
    assert 0 <= certification.low <= certification.mean_deviation <= certification.high
    # The rule certified her at the first contact it could, and not before.
    available = len(certification.plan)
    assert rule.judge(deviations, tolerance, available=available).decision == "certified"
    assert rule.judge(deviations[:-1], tolerance, available=available).decision == "continue"


def test_her_gold_evaluations_are_dated_in_the_last_two_weeks(hannah):
    certification = _certification(hannah)
    now = timezone.now()
    evaluations = list(_gold_evaluations(hannah).order_by("gold_attempt__position"))
    assert now - timedelta(days=14) <= certification.started_at
    assert hannah.date_joined < certification.started_at < evaluations[0].created_at
    previous = certification.started_at
    for evaluation in evaluations:
        assert evaluation.status == "submitted" and evaluation.time_spent_seconds > 0
        assert previous < evaluation.created_at < evaluation.submitted_at < now
        assert evaluation.saved_at == evaluation.submitted_at
        assert evaluation.events.get(kind=EventKind.SUBMITTED).at == evaluation.submitted_at
        previous = evaluation.submitted_at
    assert certification.finished_at == evaluations[-1].submitted_at < now


def test_gold_evaluations_are_never_shared_nor_double_scored(hannah, polina):
    gold = Evaluation.objects.filter(gold_attempt__isnull=False)
    assert gold.count() == _gold_evaluations(hannah).count() + _gold_evaluations(polina).count()
    assert not gold.filter(released_at__isnull=False).exists()
    assert not gold.filter(events__kind__in=(EventKind.RELEASED, EventKind.ACKNOWLEDGED)).exists()
    assert not Pair.objects.filter(Q(first__in=gold) | Q(second__in=gold)).exists()
    # The build's gold order is put back: the app's own, unpredictable one.
    assert isinstance(services.order_random, random.SystemRandom)


def test_a_certification_in_progress_on_the_candidates_home(client, polina):
    assert list(polina.teams.values_list("name", flat=True)) == ["Служба поддержки"]
    assert (polina.language, polina.time_zone) == ("ru", "Europe/Moscow")
    assert not Participant.objects.filter(user=polina).exists()
    certification = _certification(polina)
    assert certification.in_progress and certification.finished_at is None
    assert certification.started_by.username == "olga.smirnova"
    assert certification.scorecard.name == "Chat and e-mail"
    now = timezone.now()
    assert now - timedelta(days=7) < certification.started_at < now
    scored = _gold_evaluations(polina)
    assert scored.count() == 2 and not scored.filter(status="draft").exists()
    assert all(0 <= a.deviation <= 4 for a in certification.attempts.all())
    assert selectors.in_progress_for(user=polina) == certification

    client.force_login(polina)
    home = client.get("/").content.decode()
    assert 'id="certification-card"' in home
    assert reverse("certification_next", args=[certification.pk]) in home


def test_each_qa_lead_sees_their_teams_certifications(hannah, polina):
    maria = User.objects.get(username="maria.lindqvist")
    olga = User.objects.get(username="olga.smirnova")
    assert list(selectors.certifications_for(user=maria)) == [_certification(hannah)]
    assert list(selectors.certifications_for(user=olga)) == [_certification(polina)]
    assert selectors.in_progress_for(user=hannah) is None
