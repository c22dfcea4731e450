"""Background jobs of calibration (huey; `qalibrate worker` finds this module by its name):
creating each recurring series' sessions ahead of their meetings.

``series_create_due_sessions(now=...)`` runs every quarter of an hour from the periodic task
``series_sessions`` (under a lease), and from a series' page ("create due sessions now").
It is idempotent (a session per occurrence, guarded by a row lock on the series and a unique
constraint on (series, meeting_at)) and creates nothing for meetings already past. The rules of
a series are in series.py, its reads in series_selectors.py, its writes in services.py.
"""

import logging
import zoneinfo
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from qalibrate.accounts.models import User
from qalibrate.calibration import recurrence, services
from qalibrate.calibration.models import (
    DEFAULT_AGENDA,
    DEFAULT_GROUND_RULES,
    MIN_CONTACTS,
    CalibrationSession,
    ParticipantRole,
    Series,
)
from qalibrate.calibration.permissions import can_plan
from qalibrate.calibration.series import due_meetings
from qalibrate.calibration.series_selectors import (
    series_meetings_without_session,
    series_sample_pool,
)
from qalibrate.notifications.tasks import leased

logger = logging.getLogger(__name__)

# A little above the longest run expected, and below the period (see notifications/tasks.py).
SERIES_LEASE = timedelta(minutes=10)


@db_periodic_task(crontab(minute="*/15"))
@leased("series", SERIES_LEASE)
def series_sessions() -> int:
    """Create the next sessions of the recurring series, a set number of days ahead."""
    return len(series_create_due_sessions(now=timezone.now()))


def series_create_due_sessions(
    *, now: datetime, series: Iterable[Series] | None = None
) -> list[CalibrationSession]:
    """For every active series (or those given), create the session of every occurrence whose
    meeting is after ``now`` and within the series' lead days, and open it for blind scoring when
    it has 5-10 contacts and two evaluators; otherwise leave it planned and record the problem on
    the series (``last_problem``). Safe to call as often as you like: an occurrence gets one
    session, ever (a cancelled one is not made again)."""
    if series is None:
        pks = list(Series.objects.filter(is_active=True).values_list("pk", flat=True))
    else:
        pks = [s.pk for s in series]
    created: list[CalibrationSession] = []
    for pk in pks:
        try:
            created += _series_run(pk, now)
        except (ValidationError, PermissionDenied):
            logger.exception("calibration series %s: creating due sessions failed", pk)
    return created


def _series_run(series_pk: int, now: datetime) -> list[CalibrationSession]:
    with transaction.atomic():
        # The row lock makes concurrent runs take turns; the second finds the sessions made.
        series = (
            # of=("self",): PostgreSQL cannot lock the nullable side of the join to the expert.
            Series.objects.select_for_update(of=("self",))
            .select_related("facilitator", "created_by", "scorecard", "team", "expert")
            .get(pk=series_pk)
        )
        if not series.is_active:
            return []
        due = due_meetings(series, now)
        if due:
            due = series_meetings_without_session(series=series, meetings=due)
        if not due:
            return []
        user = _runner(series)
        language = (user or series.facilitator).language
        with translation.override(language):
            if user is None:
                stuck = _("Neither the facilitator nor the creator may plan sessions any more.")
                services.series_problem_set(series=series, problem=stuck, now=now)
                return []
            created, problems = [], []
            for meeting in due:
                session, found = _session_create(series, meeting, now, user)
                problems += found
                if session is not None:
                    created.append(session)
                elif found:
                    break  # nothing can be created (no published version): say it once
            services.series_problem_set(series=series, problem=" ".join(problems), now=now)
        return created


def _runner(series: Series) -> User | None:
    """Who the series' sessions are planned by: the facilitator, or else whoever created it."""
    for user in (series.facilitator, series.created_by):
        if user.is_active and can_plan(user):
            return user
    return None


def _session_create(series: Series, meeting: datetime, now: datetime, user: User):
    """One occurrence's session, planned and, when it can be, opened for blind scoring.
    Returns the session (or None when it already exists) and the problems found."""
    version = series.scorecard.current_version
    if version is None:
        return None, [
            _("%(scorecard)s has no published version, so no session was created.")
            % {"scorecard": series.scorecard}
        ]
    local = meeting.astimezone(zoneinfo.ZoneInfo(series.time_zone))
    deadline = recurrence.scoring_deadline(meeting, days_before=series.scoring_days)
    if deadline <= now:  # created late (a new series, or the job was down): score until the meeting
        deadline = meeting
    # The same occurrence samples the same way (reproducible), another occurrence differently.
    seed = series.pk * 1_000_003 + int(meeting.timestamp())
    contacts = services.contacts_sample(
        contacts=series_sample_pool(series=series, now=now), count=series.sample_size, seed=seed
    )
    evaluators = list(series.evaluators.filter(is_active=True))
    try:
        with transaction.atomic():  # a savepoint: a duplicate occurrence leaves the rest intact
            session = services.session_plan(
                user=user,
                contacts=contacts,
                evaluators=evaluators,
                title=f"{series.title}, {formats.date_format(local.date(), 'DATE_FORMAT')}",
                series=series,
                version=version,
                team=series.team,
                facilitator=series.facilitator,
                expert=series.expert,
                reference_mode=series.reference_mode,
                tolerance=series.tolerance,
                scoring_deadline=deadline,
                meeting_at=meeting,
                duration_minutes=series.duration_minutes,
                location=series.location,
                agenda=str(DEFAULT_AGENDA),
                ground_rules=str(DEFAULT_GROUND_RULES),
            )
    except IntegrityError:
        return None, []
    when = formats.date_format(local, "DATETIME_FORMAT")
    problems = _sample_problems(series, contacts, when)
    enough_evaluators = session.participants.filter(role=ParticipantRole.EVALUATOR).count() >= 2
    if not enough_evaluators:
        problems.append(
            _("The session of %(when)s stays planned: the series needs at least two evaluators.")
            % {"when": when}
        )
    if len(contacts) >= MIN_CONTACTS and enough_evaluators:
        try:
            session = services.session_move(session=session, user=user, action="open")
        except ValidationError as error:
            problems.append(" ".join(error.messages))
    return session, problems


def _sample_problems(series: Series, contacts: list, when: str) -> list[str]:
    """What is wrong with an occurrence's sample: too few contacts to open it, or fewer than
    the series asks for."""
    if len(contacts) < MIN_CONTACTS:
        return [
            _(
                "The session of %(when)s stays planned: only %(found)d contacts match the filter "
                "and it needs at least %(min)d. Add contacts to it, then open scoring."
            )
            % {"when": when, "found": len(contacts), "min": MIN_CONTACTS}
        ]
    if len(contacts) < series.sample_size:
        return [
            _("The session of %(when)s has %(found)d contacts instead of %(size)d: no more match.")
            % {"when": when, "found": len(contacts), "size": series.sample_size}
        ]
    return []
