"""Concurrent saves and a reveal during a save, each in its own thread and database connection
(real transactions and row locks, on SQLite and on PostgreSQL)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.calibration.models import SessionStatus
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationStatus
from tests.helpers import answers

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target, *args, **kwargs):
    """Run target in a thread with its own connection; return (thread, outcome dict)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = target(*args, **kwargs)
        except Exception as error:  # the test inspects what went wrong
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.fixture
def scoring(users, session):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    return session


def start(user, session, position=0):
    contact = session.session_contacts.all()[position].contact
    return evaluation_services.evaluation_start(
        contact=contact, evaluator=user, version=session.version, session=session
    )


def test_two_evaluators_saving_at_once_both_keep_every_answer(users, scoring, second_evaluator):
    first = start(users[Role.EVALUATOR], scoring)
    second = start(second_evaluator, scoring)
    barrier = threading.Barrier(2)

    def save(evaluation, user, verify):
        barrier.wait()
        for _ in range(5):
            evaluation_services.evaluation_save(
                evaluation=evaluation, user=user, answers=answers(scoring.version, verify=verify)
            )

    runs = [
        in_thread(save, first, users[Role.EVALUATOR], "yes"),
        in_thread(save, second, second_evaluator, "no"),
    ]
    for thread, outcome in runs:
        thread.join(30)
        assert "error" not in outcome, outcome.get("error")
    for evaluation, verify in ((first, "yes"), (second, "no")):
        evaluation.refresh_from_db()
        assert evaluation.revision == 5
        stored = Answer.objects.filter(evaluation=evaluation)
        assert stored.count() == 4
        assert stored.filter(criterion__text="Verifies identity").get().value == verify


def test_a_reveal_waits_for_a_save_in_progress(users, scoring, monkeypatch):
    """The save holds the session row; the reveal waits, then finds the complete save."""
    evaluator = users[Role.EVALUATOR]
    evaluation = start(evaluator, scoring)
    inside_save = threading.Event()
    let_go = threading.Event()
    real_score = evaluation_services._score

    def slow_score(evaluation, *args):  # runs inside the save's transaction, after the answers
        inside_save.set()
        let_go.wait(10)
        return real_score(evaluation, *args)

    monkeypatch.setattr(evaluation_services, "_score", slow_score)
    saver, saved = in_thread(
        evaluation_services.evaluation_save,
        evaluation=evaluation,
        user=evaluator,
        answers=answers(scoring.version),
    )
    assert inside_save.wait(10)
    revealer, revealed = in_thread(
        services.session_move, session=scoring, user=users[Role.QA_LEAD], action="reveal"
    )
    time.sleep(0.5)
    assert revealer.is_alive(), "the reveal must wait for the save to finish"
    let_go.set()
    saver.join(30)
    revealer.join(30)
    assert "error" not in saved and "error" not in revealed, (saved, revealed)

    evaluation.refresh_from_db()
    scoring.refresh_from_db()
    assert scoring.status == SessionStatus.DISCUSSION
    assert evaluation.revision == 1 and evaluation.answers.count() == 4  # whole, not half
    assert evaluation.status == EvaluationStatus.DRAFT  # unsubmitted: stays out of the results


def test_a_save_after_the_reveal_is_refused_and_the_draft_kept(users, scoring):
    evaluator = users[Role.EVALUATOR]
    evaluation = start(evaluator, scoring)
    evaluation_services.evaluation_save(
        evaluation=evaluation, user=evaluator, answers=answers(scoring.version, verify="yes")
    )
    services.session_move(session=scoring, user=users[Role.QA_LEAD], action="reveal")
    saver, saved = in_thread(
        evaluation_services.evaluation_save,
        evaluation=evaluation,
        user=evaluator,
        answers=answers(scoring.version, verify="no"),
    )
    saver.join(30)
    assert isinstance(saved.get("error"), ValidationError)
    assert "no longer taking scores" in str(saved["error"])
    assert (
        Answer.objects.get(evaluation=evaluation, criterion__text="Verifies identity").value
        == "yes"
    )
    with pytest.raises(ValidationError):
        evaluation_services.evaluation_submit(evaluation=evaluation, user=evaluator)


def test_submits_racing_a_reveal_are_either_counted_or_refused(users, scoring, second_evaluator):
    people = [users[Role.EVALUATOR], second_evaluator]
    drafts = []
    for user in people:
        evaluation = start(user, scoring)
        evaluation_services.evaluation_save(
            evaluation=evaluation, user=user, answers=answers(scoring.version)
        )
        drafts.append(evaluation)
    barrier = threading.Barrier(3)

    def submit(evaluation, user):
        barrier.wait()
        return evaluation_services.evaluation_submit(evaluation=evaluation, user=user)

    def reveal():
        barrier.wait()
        return services.session_move(session=scoring, user=users[Role.QA_LEAD], action="reveal")

    runs = [in_thread(submit, e, u) for e, u in zip(drafts, people, strict=True)]
    runs.append(in_thread(reveal))
    for thread, _outcome in runs:
        thread.join(30)
    assert "error" not in runs[2][1]
    for (_thread, outcome), evaluation in zip(runs[:2], drafts, strict=True):
        evaluation.refresh_from_db()
        if "error" in outcome:
            assert isinstance(outcome["error"], ValidationError)
            assert evaluation.status == EvaluationStatus.DRAFT
        else:
            assert evaluation.status == EvaluationStatus.SUBMITTED
    # What the discussion counts is exactly what was submitted before the reveal.
    submitted = Evaluation.objects.filter(session=scoring, status=EvaluationStatus.SUBMITTED)
    assert {e.pk for e in submitted} == {
        e.pk for e in drafts if e.status == EvaluationStatus.SUBMITTED
    }


def test_a_save_with_one_bad_answer_saves_nothing(users, scoring):
    evaluator = users[Role.EVALUATOR]
    evaluation = start(evaluator, scoring)
    given = answers(scoring.version)
    need = next(pk for pk, a in given.items() if a.value == "3")
    given[need] = evaluation_services.AnswerInput("9")
    with pytest.raises(ValidationError):
        evaluation_services.evaluation_save(evaluation=evaluation, user=evaluator, answers=given)
    assert not Answer.objects.filter(evaluation=evaluation).exists()
    evaluation.refresh_from_db()
    assert evaluation.revision == 0
