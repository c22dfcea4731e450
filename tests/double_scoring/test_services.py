"""The draw, the second evaluator, and the pair's kept figures."""

import pytest
from django.core.exceptions import ValidationError
from scipy import stats

from qalibrate.accounts.models import Role
from qalibrate.double_scoring import services
from qalibrate.double_scoring.models import Pair, PairReason
from qalibrate.evaluations.models import Evaluation
from qalibrate.evaluations.services import evaluation_reopen
from tests.double_scoring.conftest import score_ordinary
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.helpers import score_as


def test_a_submitted_evaluation_is_drawn_and_a_blind_second_is_made(
    users, policy, contacts, evaluator, second_evaluator
):
    first = score_ordinary(evaluator, contacts[0], policy.scorecard.current_version)
    pair = Pair.objects.get(first=first)
    assert pair.second.evaluator == second_evaluator  # the only other evaluator of the team
    assert pair.second.is_draft and pair.second.contact_id == first.contact_id
    assert pair.second.version_id == first.version_id
    assert pair.reason == PairReason.RANDOM and pair.is_open
    # The second evaluation is not drawn again once submitted: it completes the pair.
    score_ordinary(second_evaluator, contacts[0], first.version, greet="no")
    pair.refresh_from_db()
    assert not pair.is_open
    assert Pair.objects.count() == 1


def test_the_share_drawn_is_the_policy_share(users, policy, team, evaluator, second_evaluator):
    """400 evaluations at 25%: the count drawn is inside the binomial's 99.9% range, and the
    seeded generator gives one exact count (a change in the rule changes it)."""
    policy.share_percent = 25
    policy.save()
    version = policy.scorecard.current_version
    agent = AgentFactory(team=team)
    for _ in range(400):
        score_ordinary(evaluator, ContactFactory(agent=agent), version)
    drawn = Pair.objects.filter(first__evaluator=evaluator).count()
    low, high = stats.binom.interval(0.999, 400, 0.25)
    assert low <= drawn <= high
    assert Pair.objects.filter(reason=PairReason.RANDOM).count() == drawn


def test_nothing_is_drawn_at_0_percent_or_without_policy(users, policy, contacts, evaluator):
    policy.share_percent = 0
    policy.save()
    version = policy.scorecard.current_version
    score_ordinary(evaluator, contacts[0], version)
    policy.active = False
    policy.share_percent = 100
    policy.save()
    score_ordinary(evaluator, contacts[1], version)
    assert not Pair.objects.exists()


def test_every_evaluation_of_a_new_evaluator_is_drawn(users, policy, contacts, team, evaluator):
    policy.share_percent = 0
    policy.new_evaluator_count = 3
    policy.save()
    version = policy.scorecard.current_version
    for contact in contacts[:5]:
        score_ordinary(evaluator, contact, version)
    reasons = list(Pair.objects.order_by("pk").values_list("reason", flat=True))
    assert reasons == [PairReason.NEW_EVALUATOR] * 3


def test_session_evaluations_are_never_drawn(users, policy, session, evaluator):
    from qalibrate.calibration import services as calibration

    calibration.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    score_as(evaluator, session, session.session_contacts.first().contact)
    assert not Pair.objects.exists()


def test_the_expert_scores_second_unless_they_scored_first(
    users, policy, contacts, evaluator, second_evaluator
):
    lead = users[Role.QA_LEAD]
    policy.expert = lead
    policy.save()
    version = policy.scorecard.current_version
    pair = Pair.objects.get(first=score_ordinary(evaluator, contacts[0], version))
    assert pair.second.evaluator == lead and pair.by_expert
    pair = Pair.objects.get(first=score_ordinary(lead, contacts[1], version))
    assert pair.second.evaluator in (evaluator, second_evaluator) and not pair.by_expert


def test_second_evaluations_are_shared_out_fewest_waiting_first(
    users, policy, team, contacts, evaluator, second_evaluator
):
    third = UserFactory(username="third-in-team", role=Role.EVALUATOR)
    third.teams.add(team)
    version = policy.scorecard.current_version
    for contact in contacts[:4]:
        score_ordinary(evaluator, contact, version)
    seconds = sorted(Pair.objects.values_list("second__evaluator__username", flat=True))
    # Four seconds between the two other evaluators, two each (QA staff only as the expert).
    assert seconds == ["second", "second", "third-in-team", "third-in-team"]


def test_nobody_who_evaluated_the_contact_scores_it_second(
    users, policy, team, contacts, evaluator, second_evaluator
):
    version = policy.scorecard.current_version
    score_ordinary(second_evaluator, contacts[0], version, submit=False)
    Pair.objects.all().delete()
    assert (
        services.second_evaluator(
            policy=policy, evaluation=score_ordinary(evaluator, contacts[0], version, submit=False)
        )
        is None
    )


def test_the_pair_keeps_its_difference_and_criteria_once_both_are_submitted(
    users, policy, contacts, evaluator, second_evaluator
):
    version = policy.scorecard.current_version
    first = score_ordinary(evaluator, contacts[0], version)
    pair = Pair.objects.get(first=first)
    second = score_ordinary(second_evaluator, contacts[0], version, greet="no", need="5")
    pair.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert pair.deviation == pytest.approx(abs(first.score - second.score))
    assert pair.within_tolerance is (pair.deviation <= 5)
    by_text = {c.text: c.key for c in version.sections.first().criteria.all()}
    by_text.update({c.text: c.key for c in version.sections.last().criteria.all()})
    assert pair.criteria == {
        by_text["Greets with own name"]: False,
        by_text["Verifies identity"]: True,
        by_text["Understands the need"]: False,
        by_text["Information is correct"]: True,
    }
    # A reopening afterwards leaves the kept figures as they were.
    kept = (pair.deviation, pair.criteria, pair.completed_at)
    evaluation_reopen(evaluation=second, user=users[Role.QA_LEAD], reason="typo")
    score_ordinary(second_evaluator, contacts[0], version)
    pair.refresh_from_db()
    assert (pair.deviation, pair.criteria, pair.completed_at) == kept


def test_na_answers_are_left_out_of_the_criteria(
    users, policy, contacts, evaluator, second_evaluator
):
    version = policy.scorecard.current_version
    first = score_ordinary(evaluator, contacts[0], version, info="na")
    score_ordinary(second_evaluator, contacts[0], version)
    assert len(Pair.objects.get(first=first).criteria) == 3


def test_a_second_evaluation_is_never_shared_with_the_agent(
    users, policy, contacts, evaluator, second_evaluator
):
    from qalibrate.evaluations.services import evaluation_release

    version = policy.scorecard.current_version
    first = score_ordinary(evaluator, contacts[0], version)
    second = score_ordinary(second_evaluator, contacts[0], version)
    with pytest.raises(ValidationError):
        evaluation_release(evaluation=second, user=users[Role.QA_LEAD])
    assert evaluation_release(evaluation=first, user=users[Role.QA_LEAD]).released_at
    assert Evaluation.objects.get(pk=second.pk).released_at is None


def test_a_failure_in_the_draw_never_undoes_the_submission(
    users, policy, contacts, evaluator, monkeypatch
):
    def broken(*, evaluation):
        raise RuntimeError("draw broke")

    monkeypatch.setattr(services, "pair_draw", broken)
    first = score_ordinary(evaluator, contacts[0], policy.scorecard.current_version)
    first.refresh_from_db()
    assert not first.is_draft
