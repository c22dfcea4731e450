import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qalibrate.accounts.models import Role
from qalibrate.evaluations import services
from qalibrate.evaluations.models import Evaluation, EventKind
from tests.factories import ContactFactory
from tests.helpers import criteria

AnswerInput = services.AnswerInput


@pytest.fixture
def evaluation(users, version):
    contact = ContactFactory(agent=users[Role.AGENT].agent_profile)
    return services.evaluation_start(
        contact=contact, evaluator=users[Role.EVALUATOR], version=version
    )


def full_answers(version) -> dict[int, AnswerInput]:
    c = criteria(version)
    return {
        c["Greets with own name"].pk: AnswerInput(
            "yes", comment="Warm greeting", media_timestamp=4.0
        ),
        c["Verifies identity"].pk: AnswerInput("yes"),
        c["Understands the need"].pk: AnswerInput("3"),
        c["Information is correct"].pk: AnswerInput(na=True),
        c["Notes"].pk: AnswerInput("Spoke fast"),
    }


def test_start_reuses_the_open_draft(users, evaluation, version):
    again = services.evaluation_start(
        contact=evaluation.contact, evaluator=users[Role.EVALUATOR], version=version
    )
    assert again == evaluation


def test_save_stores_answers_and_scores_them(users, evaluation, version):
    saved = services.evaluation_save(
        evaluation=evaluation,
        user=users[Role.EVALUATOR],
        answers=full_answers(version),
        seconds_spent=90,
    )
    # Opening 3/3 (weight 1), Resolution 2.4/4 (weight 2): (1 + 1.2) / 3
    assert saved.score == pytest.approx(220 / 3)
    assert saved.revision == 1 and saved.time_spent_seconds == 90
    greets = saved.answers.get(criterion__text="Greets with own name")
    assert (greets.comment, greets.media_timestamp) == ("Warm greeting", 4.0)


def test_an_impossible_answer_saves_nothing(users, evaluation, version):
    answers = full_answers(version)
    answers[criteria(version)["Understands the need"].pk] = AnswerInput("9")
    with pytest.raises(ValidationError, match="Understands the need: 9 is not a possible answer"):
        services.evaluation_save(evaluation=evaluation, user=users[Role.EVALUATOR], answers=answers)
    assert not evaluation.answers.exists()
    assert Evaluation.objects.get(pk=evaluation.pk).revision == 0


def test_a_stale_copy_cannot_overwrite_newer_answers(users, evaluation, version):
    user = users[Role.EVALUATOR]
    services.evaluation_save(
        evaluation=evaluation, user=user, answers=full_answers(version), revision=0
    )
    with pytest.raises(services.StaleRevision):
        services.evaluation_save(evaluation=evaluation, user=user, answers={}, revision=0)


def test_time_per_save_is_capped(users, evaluation):
    saved = services.evaluation_save(
        evaluation=evaluation, user=users[Role.EVALUATOR], answers={}, seconds_spent=10**6
    )
    assert saved.time_spent_seconds == services.MAX_SECONDS_PER_SAVE


def test_only_the_evaluator_saves_their_evaluation(users, evaluation):
    for role in (Role.QA_LEAD, Role.ADMIN, Role.AGENT):
        with pytest.raises(PermissionDenied):
            services.evaluation_save(evaluation=evaluation, user=users[role], answers={})


def test_submit_needs_every_scored_criterion(users, evaluation, version):
    user = users[Role.EVALUATOR]
    answers = full_answers(version)
    del answers[criteria(version)["Verifies identity"].pk]
    services.evaluation_save(evaluation=evaluation, user=user, answers=answers)
    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(evaluation=evaluation, user=user)
    assert error.value.messages == ["Answer “Verifies identity”."]
    services.evaluation_save(evaluation=evaluation, user=user, answers=full_answers(version))
    submitted = services.evaluation_submit(evaluation=evaluation, user=user)
    assert not submitted.is_draft and submitted.submitted_at
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.evaluation_save(evaluation=evaluation, user=user, answers=full_answers(version))


def test_reopen_keeps_the_history(users, evaluation, version):
    user, lead = users[Role.EVALUATOR], users[Role.QA_LEAD]
    services.evaluation_save(evaluation=evaluation, user=user, answers=full_answers(version))
    services.evaluation_submit(evaluation=evaluation, user=user)
    with pytest.raises(PermissionDenied):
        services.evaluation_reopen(evaluation=evaluation, user=user, reason="I changed my mind")
    with pytest.raises(ValidationError):
        services.evaluation_reopen(evaluation=evaluation, user=lead, reason=" ")
    reopened = services.evaluation_reopen(
        evaluation=evaluation, user=lead, reason="Wrong contact part"
    )
    assert reopened.is_draft
    event = reopened.events.get(kind=EventKind.REOPENED)
    assert (event.actor, event.reason) == (lead, "Wrong contact part")
    assert event.snapshot["score"] == pytest.approx(220 / 3)
    greets = criteria(version)["Greets with own name"]
    assert event.snapshot["answers"][str(greets.pk)]["comment"] == "Warm greeting"
    assert [e.kind for e in reopened.events.all()] == [EventKind.SUBMITTED, EventKind.REOPENED]


def test_release_and_acknowledge(users, evaluation, version):
    user, lead, agent = users[Role.EVALUATOR], users[Role.QA_LEAD], users[Role.AGENT]
    services.evaluation_save(evaluation=evaluation, user=user, answers=full_answers(version))
    with pytest.raises(ValidationError):
        services.evaluation_release(evaluation=evaluation, user=lead)
    services.evaluation_submit(evaluation=evaluation, user=user)
    assert not Evaluation.objects.visible_to(agent).exists()
    services.evaluation_release(evaluation=evaluation, user=lead)
    assert list(Evaluation.objects.visible_to(agent)) == [evaluation]
    with pytest.raises(PermissionDenied):
        services.evaluation_acknowledge(evaluation=evaluation, user=user)
    assert services.evaluation_acknowledge(evaluation=evaluation, user=agent).acknowledged_at
