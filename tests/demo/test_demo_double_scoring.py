"""The demo's month of double scoring (qalibrate/demo/double_scoring.py) tells its story: two
teams' policies drew pairs all month, a few second evaluations are still to do, Anna Bergström's
latest pairs are outside the tolerance three in a row and the QA lead is told, "Shows empathy"
is the criterion least agreed on, and the pairs outside the tolerance are candidates for the
next session. Built once for the module, as test_demo_history.py does."""

import random
from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from qalibrate.accounts.models import User
from qalibrate.calibration.models import SessionContact
from qalibrate.demo.builder import build_demo
from qalibrate.double_scoring import selectors, services
from qalibrate.double_scoring.models import Pair, PairReason, Policy
from qalibrate.evaluations.models import Evaluation
from qalibrate.notifications.models import Kind, Notification

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_demo()
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def admin(demo, db):
    return User.objects.get(username="admin")


def _person(username: str) -> User:
    return User.objects.get(username=username)


def test_two_teams_have_a_policy(admin):
    policies = {p.team.name: p for p in Policy.objects.select_related("team", "scorecard")}
    assert set(policies) == {"Customer support", "Kundtjänst Norden"}
    for policy in policies.values():
        assert policy.active and policy.new_evaluator_count == 0 and policy.tolerance == 5
        assert 5 <= policy.share_percent <= 25
    assert policies["Customer support"].scorecard.name == "Inbound support call"
    assert policies["Customer support"].expert is None
    assert policies["Kundtjänst Norden"].scorecard.name == "Chat and e-mail"
    assert policies["Kundtjänst Norden"].expert.username == "maria.lindqvist"
    # The build's draw is put back: the app's own, unpredictable one.
    assert isinstance(services.draw_random, random.SystemRandom)


def test_a_month_of_pairs_and_a_few_still_to_do(admin):
    now = timezone.now()
    completed = Pair.objects.completed()
    assert 15 <= completed.count() <= 30
    assert set(completed.values_list("reason", flat=True)) == {PairReason.RANDOM}
    done = sorted(completed.values_list("completed_at", flat=True))
    assert now - timedelta(days=31) <= done[0] and done[-1] < now
    assert done[-1] - done[0] >= timedelta(days=20)
    for pair in completed.select_related("first", "second"):
        assert pair.drawn_at < pair.completed_at
        assert pair.first.submitted_at <= pair.drawn_at <= pair.second.created_at
        assert pair.second.submitted_at == pair.completed_at
        assert pair.first.session_id is None and pair.first.agreed_in_id is None
        assert pair.criteria and pair.deviation is not None

    waiting = Pair.objects.filter(completed_at__isnull=True).select_related("second__evaluator")
    assert 3 <= waiting.count() <= 6
    for pair in waiting:
        assert pair.second.is_draft and now - timedelta(days=7) < pair.drawn_at < now
        # Begun: half its answers saved.
        assert pair.second.time_spent_seconds > 0 and pair.second.answers.exists()
        assert pair.drawn_at == pair.second.created_at < pair.second.saved_at < now
        assert pair.second.evaluator.is_active and not pair.second.evaluator.is_automatic
    # The evaluators' home pages and the QA lead's list their second evaluations to do.
    for username in ("james.cole", "priya.shah", "maria.lindqvist"):
        assert selectors.seconds_to_do(user=_person(username)).exists(), username


def test_people_only_score_in_pairs_and_the_contacts_are_nobody_elses(admin):
    pairs = Pair.objects.all()
    people = set(pairs.values_list("first__evaluator__username", flat=True))
    people |= set(pairs.values_list("second__evaluator__username", flat=True))
    assert people == {
        "james.cole",
        "priya.shah",
        "anna.bergstrom",
        "karl.nyberg",
        "maria.lindqvist",
    }
    automatic = User.objects.filter(is_automatic=True)
    assert automatic.exists()
    assert not pairs.filter(
        Q(first__evaluator__in=automatic) | Q(second__evaluator__in=automatic)
    ).exists()
    # Each first evaluation scores a contact nobody else scored outside the pair.
    for pair in pairs.select_related("first"):
        others = Evaluation.objects.filter(contact_id=pair.first.contact_id)
        assert set(others.values_list("pk", flat=True)) == {pair.first_id, pair.second_id}
    assert pairs.filter(team__name="Kundtjänst Norden", by_expert=False).count() == 0


def test_anna_drifts_and_the_others_do_not(admin):
    anna = selectors.evaluator_figures(user=admin, evaluator=_person("anna.bergstrom"))
    assert anna.flagged and anna.outside_in_a_row >= selectors.OUTSIDE_IN_A_ROW
    assert anna.within.value <= 0.6
    karl = selectors.evaluator_figures(user=admin, evaluator=_person("karl.nyberg"))
    assert not karl.flagged and karl.within.value >= 0.75 and karl.pairs >= 4
    for username in ("james.cole", "priya.shah", "maria.lindqvist"):
        figures = selectors.evaluator_figures(user=admin, evaluator=_person(username))
        assert not figures.flagged and figures.within.value >= 0.6, username
    overview = selectors.overview(user=admin)
    assert overview.evaluators[0].evaluator.username == "anna.bergstrom"
    # Her QA lead was told when the third pair in a row came in outside (unread, its e-mail sent).
    (alert,) = Notification.objects.filter(kind=Kind.PAIR_DRIFT)
    assert alert.user.username == "maria.lindqvist" and alert.params["name"] == "Anna Bergström"
    assert alert.email_status == "sent" and alert.read_at is None
    latest = Pair.objects.completed().filter(first__evaluator__username="anna.bergstrom").first()
    assert alert.params["pair"] == latest.pk and alert.created_at == latest.completed_at


def test_empathy_is_the_least_agreed_criterion(admin):
    criteria = selectors.overview(user=admin).team.criteria
    least, then = criteria[0], criteria[1]
    assert least.text.startswith("Shows empathy")
    assert least.share.value <= 0.5 and then.share.value - least.share.value >= 0.2


def test_pairs_outside_the_tolerance_are_candidates_for_the_next_session(admin):
    outside = Pair.objects.filter(within_tolerance=False)
    assert 4 <= outside.count() <= 8
    candidates = list(selectors.candidates(user=admin))
    assert len(candidates) == outside.count()
    assert {pair.team.name for pair in candidates} == {"Customer support", "Kundtjänst Norden"}
    held = SessionContact.objects.values_list("contact_id", flat=True)
    assert not any(pair.first.contact_id in set(held) for pair in candidates)
    # The widest first.
    deviations = [pair.deviation for pair in candidates]
    assert deviations == sorted(deviations, reverse=True) and deviations[-1] > 5


def test_second_evaluators_were_told_and_read_it_once_done(admin):
    from qalibrate.notifications.models import Kind, Notification

    told = Notification.objects.filter(kind=Kind.SECOND_EVALUATION)
    assert told.count() == Pair.objects.count()
    done = Pair.objects.filter(completed_at__isnull=False).values_list("pk", flat=True)
    for notification in told:
        pair_id = int(notification.key.split(":")[1])
        assert (notification.read_at is not None) == (pair_id in set(done))
