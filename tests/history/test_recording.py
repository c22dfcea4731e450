"""Completing a session records its figures once; nothing before completion is recorded."""

import pytest

from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration
from qalibrate.history import services
from qalibrate.history.models import EvaluatorRecord, Ruling, SessionRecord


def test_completing_a_session_records_it(users, revealed):
    assert not SessionRecord.objects.exists()
    calibration.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done")
    record = SessionRecord.objects.get(session=revealed)
    assert record.evaluator_count == 3
    assert record.contact_count == 6
    assert record.team == revealed.team
    rows = {r.evaluator.username: r for r in record.evaluator_records.all()}
    assert set(rows) == {"evaluator", "second", "third"}
    assert all(r.answers_compared > 0 for r in rows.values())
    assert record.criterion_records.count() >= 4
    # c1: two evaluators say no greeting and one yes: the agreed answer is a ruling.
    assert Ruling.objects.filter(record=record).exists()
    assert all(not r.unanimous or r.reason for r in Ruling.objects.all())


def test_a_revealed_session_is_not_recorded(revealed):
    with pytest.raises(services.NotCompleted):
        services.session_record_save(session=revealed)
    assert not SessionRecord.objects.exists()


def test_recording_again_replaces_the_rows(users, revealed):
    calibration.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done")
    revealed.refresh_from_db()
    services.session_record_save(session=revealed)
    assert SessionRecord.objects.count() == 1
    assert EvaluatorRecord.objects.count() == 3


def test_history_fixture_marks_lenient_evaluator(history, second_evaluator):
    rows = EvaluatorRecord.objects.filter(evaluator=second_evaluator).order_by("held_on")
    assert [r.bias > 0 for r in rows] == [False, True, True, True]
