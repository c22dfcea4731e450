"""Stored records with chosen figures, for the trends tests: the trends read nothing else, so a
completed session row and its SessionRecord are all a trend needs (real completions are in
tests/history/conftest.py's ``history``)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from qalibrate.calibration.models import CalibrationSession, SessionStatus
from qalibrate.history.models import SessionRecord


def stored_record(lead, version, team, held_on: date, *, title="", **figures) -> SessionRecord:
    meeting = timezone.make_aware(datetime.combine(held_on, time(10)))
    session = CalibrationSession.objects.create(
        title=title or f"Stored {held_on}",
        version=version,
        team=team,
        facilitator=lead,
        created_by=lead,
        scoring_deadline=meeting - timedelta(days=1),
        meeting_at=meeting,
        status=SessionStatus.COMPLETED,
        completed_at=meeting,
    )
    values = {
        "tolerance": 5.0,
        "evaluator_count": 3,
        "contact_count": 6,
        "calibrated": True,
        "share_within": 0.9,
        "alpha": 0.8,
        "alpha_low": 0.6,
        "alpha_high": 0.95,
        "mean_abs_deviation": 2.0,
    } | figures
    return SessionRecord.objects.create(
        session=session,
        team=team,
        scorecard=version.scorecard,
        version=version,
        held_on=held_on,
        source_completed_at=meeting,
        **values,
    )
