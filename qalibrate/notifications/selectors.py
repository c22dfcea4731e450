from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.calibration.models import CalibrationSession, ParticipantRole, SessionStatus
from qalibrate.notifications import calendar, messages
from qalibrate.notifications.models import ESSENTIAL, Kind

# Meetings that ended this long ago still show, so today's meeting stays in the calendar.
FEED_PAST = timedelta(days=14)


def optional_kinds() -> list[str]:
    return [kind for kind in Kind.values if kind not in ESSENTIAL]


def calendar_feed(*, user: User, now: datetime) -> bytes:
    """The person's sessions (as facilitator or participant, of those they may see) and
    scoring deadlines."""
    sessions = (
        CalibrationSession.objects.visible_to(user)
        .filter(
            Q(facilitator=user) | Q(participants__user=user),
            meeting_at__gte=now - FEED_PAST,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("facilitator")
        .distinct()
        .order_by("meeting_at")
    )
    scoring = set(
        CalibrationSession.objects.filter(
            participants__user=user, participants__role=ParticipantRole.EVALUATOR
        ).values_list("pk", flat=True)
    )
    zone = user.time_zone or settings.TIME_ZONE
    host = settings.CALENDAR_UID_DOMAIN
    events = []
    for session in sessions:
        url = settings.SITE_URL + reverse("session_detail", args=[session.pk])
        organizer = calendar.Person(str(session.facilitator), session.facilitator.email or "")
        events.append(
            calendar.Meeting(
                uid=f"session-{session.pk}@{host}",
                title=session.title,
                start=session.meeting_at,
                minutes=session.duration_minutes,
                time_zone=zone,
                organizer=organizer,
                location=session.location,
                url=url,
                sequence=session.calendar_sequence,
            )
        )
        if session.pk in scoring and session.status in (SessionStatus.DRAFT, SessionStatus.SCORING):
            events.append(
                calendar.Meeting(
                    uid=f"session-{session.pk}-deadline@{host}",
                    title=_("Scoring deadline: %(title)s") % {"title": session.title},
                    start=session.scoring_deadline,
                    minutes=0,
                    time_zone=zone,
                    organizer=organizer,
                    url=url,
                )
            )
    return calendar.feed(events, name=_("Qalibrate: %(user)s") % {"user": user}, stamp=now)


def with_words(notifications, *, reader: User) -> list:
    """The notifications, each with ``.words``: what it says written now, in the active language
    and the reader's time zone. No query: the words come from each row's parameters."""
    zone = messages.reader_zone(reader)
    notifications = list(notifications)
    for notification in notifications:
        notification.words = messages.words(notification, zone)
    return notifications
