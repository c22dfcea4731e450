"""benchmarks/history.py at a tiny size, so the script cannot rot: its bulk-inserted sessions
are complete enough for the real recording, the records it copies say what recording would,
and every history page it times answers."""

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from qalibrate.calibration.models import AgreedAnswer, CalibrationSession
from qalibrate.history.models import CriterionRecord, EvaluatorRecord, Ruling, SessionRecord
from qalibrate.history.services import session_record_save

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "history.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_history", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench(db):
    module = load_benchmark()
    bench = module.Bench(evaluators=3, contacts=3, criteria=5, patterns_drawn=2)
    bench.setup()
    return module, bench


def record_content(session_id: int) -> dict:
    """What a session's records say, without their ids and dates."""
    record = SessionRecord.objects.get(session_id=session_id)
    left_out = {"id", "record", "held_on", "drift"}

    def rows(model, order):
        return [
            {k: v for k, v in model_to_dict(row).items() if k not in left_out}
            for row in model.objects.filter(record=record).order_by(*order)
        ]

    return {
        "record": {
            k: v
            for k, v in model_to_dict(record).items()
            if k not in {"id", "source_completed_at", "held_on"}
        },
        "evaluators": rows(EvaluatorRecord, ["evaluator_id"]),
        "criteria": rows(CriterionRecord, ["criterion_id"]),
        "rulings": rows(Ruling, ["agreed_answer_id"]),
    }


def test_the_benchmark_builds_records_as_recording_would(bench):
    module, bench = bench
    start = timezone.now() - timedelta(days=30)
    bench.add_sessions(5, total=5, start=start)
    bench.record()
    sessions = [s[0] for s in bench.sessions]
    assert SessionRecord.objects.filter(session_id__in=sessions).count() == 5
    assert len(bench.record_seconds) == len(bench.templates) == 2  # the others are copies
    copied = [pk for pk in sessions if pk not in bench.templates.values()]
    assert copied
    for session_id in copied:
        copy = record_content(session_id)
        assert copy["evaluators"] and copy["criteria"] and copy["rulings"]
        # Each ruling is one of the session's own agreed answers.
        for ruling in Ruling.objects.filter(record__session_id=session_id):
            agreed = AgreedAnswer.objects.get(pk=ruling.agreed_answer_id)
            assert agreed.session_contact.session_id == session_id
            assert agreed.criterion_id == ruling.criterion_id
            assert agreed.form_value == ruling.answer
        session_record_save(session=CalibrationSession.objects.get(pk=session_id), alerts=False)
        assert record_content(session_id) == copy


def test_the_benchmark_times_every_history_page(bench, client):
    module, bench = bench
    start = timezone.now() - timedelta(days=30)
    client.force_login(bench.lead)
    bench.add_sessions(2, total=5, start=start)
    bench.record()
    small = module.measure(bench, client, requests=2, sessions=2)
    bench.add_sessions(3, total=5, start=start)
    bench.record()
    large = module.measure(bench, client, requests=2, sessions=5)
    assert [t.label for t in small] == [label for label, _name in module.PAGES]
    for timing in small + large:
        assert timing.status == 200, timing
        assert timing.queries > 0 and timing.median_ms > 0 and timing.p95_ms >= timing.median_ms
    for before, after in zip(small, large, strict=True):
        assert before.queries == after.queries, before.label
    printed = module.table(small + large)
    assert "median ms" in printed and "queries of" in printed
