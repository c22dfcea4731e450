"""Telling people what happened: each event makes one Notification per recipient (the bell) in
the caller's transaction, and the outbox sends their e-mails afterwards (deliver_pending).

Guarantees (tested): one notification per person and event (a unique key; a job that runs twice
adds nothing); an SMTP failure is retried with back-off and, after MAX_ATTEMPTS, shown to
administrators as failed; a claim left by a worker that died is taken over after CLAIM_TIMEOUT;
nothing more is sent for a cancelled session but the cancellation itself.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    FollowUpAction,
    ParticipantRole,
    SessionStatus,
)
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.notifications import calendar
from qalibrate.notifications.models import (
    EmailStatus,
    Kind,
    Notification,
    Subscription,
    new_feed_token,
)
from qalibrate.notifications.selectors import optional_kinds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=10)
REMINDER_BEFORE = timedelta(hours=24)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- what each notification says ----------------------------------------------------------


@dataclass
class Message:
    kind: str
    key: str
    subject: str
    paragraphs: list[str]
    facts: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    button: str = ""
    session: CalibrationSession | None = None


def _when(moment: datetime, user: User) -> str:
    local = moment.astimezone(ZoneInfo(user.time_zone or settings.TIME_ZONE))
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _session_facts(session: CalibrationSession, user: User) -> list[tuple[str, str]]:
    facts = [
        (_("Scorecard"), f"{session.version.scorecard.name} v{session.version.number}"),
        (_("Scoring deadline"), _when(session.scoring_deadline, user)),
        (_("Meeting"), _when(session.meeting_at, user)),
    ]
    if session.location:
        facts.append((_("Place or video link"), session.location))
    facts.append((_("Facilitator"), str(session.facilitator)))
    return facts


def _session_message(kind: str, session: CalibrationSession, user: User, **extra) -> Message:
    """The words of each kind, in the recipient's language (the caller switched to it)."""
    title = session.title
    url = reverse("session_detail", args=[session.pk])
    facts = _session_facts(session, user)
    key = f"session:{session.pk}:{kind}"
    if kind == Kind.INVITATION:
        return Message(
            kind, key, _("Invitation: %(title)s") % {"title": title},
            [_("You are invited to the calibration session “%(title)s”. The calendar "
               "invitation is attached; the contacts open for scoring before the meeting.")
             % {"title": title}],
            facts, url, _("Open the session"), session,
        )  # fmt: skip
    if kind == Kind.RESCHEDULED:
        return Message(
            kind, f"{key}:{session.calendar_sequence}", _("Moved: %(title)s") % {"title": title},
            [_("The calibration session “%(title)s” has a new time. The attached update moves "
               "it in your calendar.") % {"title": title}],
            facts, url, _("Open the session"), session,
        )  # fmt: skip
    if kind == Kind.MATERIALS_READY:
        count = session.session_contacts.count()
        return Message(
            kind, key, _("Ready to score: %(title)s") % {"title": title},
            [_("The contacts of “%(title)s” are ready. Score each one on your own, before the "
               "deadline; nobody sees your answers until the facilitator reveals them.")
             % {"title": title},
             _("Contacts to score: %(count)d.") % {"count": count}],
            facts, url, _("Start scoring"), session,
        )  # fmt: skip
    if kind == Kind.SCORING_REMINDER:
        return Message(
            kind, key, _("Reminder: score %(title)s") % {"title": title},
            [_("Scoring for “%(title)s” closes at %(deadline)s.")
             % {"title": title, "deadline": _when(session.scoring_deadline, user)},
             _("You still have %(left)d of %(total)d contacts to submit.") % extra],
            facts, url, _("Continue scoring"), session,
        )  # fmt: skip
    if kind == Kind.RESULTS_REVEALED:
        return Message(
            kind, key, _("Scores revealed: %(title)s") % {"title": title},
            [_("The facilitator revealed the scores of “%(title)s”. You can see how everyone "
               "scored before the meeting.") % {"title": title}],
            facts, reverse("session_discussion", args=[session.pk]), _("See the scores"), session,
        )  # fmt: skip
    if kind == Kind.SUMMARY:
        return Message(
            kind, key, _("Summary: %(title)s") % {"title": title},
            [_("“%(title)s” is completed. The summary is below and the report is attached.")
             % {"title": title}, session.summary],
            facts, url, _("Open the session"), session,
        )  # fmt: skip
    if kind == Kind.RESULTS_SHARED:
        return Message(
            kind, key, _("Calibration results on your contacts"),
            [_("The quality team calibrated on contacts of yours in “%(title)s”. You can read "
               "the agreed evaluation and the feedback.") % {"title": title}],
            [], url, _("Read the results"), session,
        )  # fmt: skip
    if kind == Kind.CANCELLED:
        return Message(
            kind, key, _("Cancelled: %(title)s") % {"title": title},
            [_("The calibration session “%(title)s” is cancelled. The attached update removes "
               "it from your calendar.") % {"title": title}],
            facts, url, _("Open the session"), session,
        )  # fmt: skip
    raise ValueError(kind)


def _action_message(kind: str, action: FollowUpAction, user: User) -> Message:
    due = formats.date_format(action.due_date, "DATE_FORMAT") if action.due_date else _("none")
    facts = [(_("Action"), action.description), (_("Due"), due),
             (_("Calibration session"), action.session.title)]  # fmt: skip
    url = reverse("action_list")
    if kind == Kind.ACTION_ASSIGNED:
        return Message(
            kind, f"action:{action.pk}:assigned", _("Follow-up action for you: %(action)s")
            % {"action": action.description},
            [_("A follow-up action from “%(title)s” is yours.") % {"title": action.session.title}],
            facts, url, _("See your actions"), action.session,
        )  # fmt: skip
    return Message(
        kind, f"action:{action.pk}:due:{action.due_date}", _("Due: %(action)s")
        % {"action": action.description},
        [_("Your follow-up action is due on %(due)s and is not done yet.") % {"due": due}],
        facts, url, _("See your actions"), action.session,
    )  # fmt: skip


# --- making notifications -------------------------------------------------------------------


def _notify(users, build) -> list[Notification]:
    """One notification per user from build(user) → Message, written in the user's language;
    a user who already has this key gets nothing new."""
    made = []
    users = list(dict.fromkeys(u for u in users if u.is_active))
    subscriptions = {s.user_id: s for s in Subscription.objects.filter(user__in=users)}
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            message = build(user)
            context = {"message": message, "user": user, "absolute_url": absolute(message.url)}
            text = render_to_string("notifications/email/message.txt", context)
            html = render_to_string("notifications/email/message.html", context)
        subscription = subscriptions.get(user.pk)
        if not user.email:
            email_status = EmailStatus.NO_ADDRESS
        elif subscription is not None and not subscription.wants_email(message.kind):
            email_status = EmailStatus.OFF
        else:
            email_status = EmailStatus.PENDING
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not break the caller's
                made.append(
                    Notification.objects.create(
                        user=user,
                        kind=message.kind,
                        key=message.key,
                        session=message.session,
                        subject=message.subject,
                        body_text=text,
                        body_html=html,
                        url=message.url,
                        email_status=email_status,
                    )  # fmt: skip
                )
        except IntegrityError:
            continue  # told already
    if made:
        transaction.on_commit(_wake_the_outbox)
    return made


def _wake_the_outbox() -> None:
    from qalibrate.notifications import tasks

    tasks.deliver()


def _people(session: CalibrationSession, *roles: str) -> list[User]:
    participants = session.participants.select_related("user")
    return [p.user for p in participants if not roles or p.role in roles]


def session_event(*, session: CalibrationSession, kind: str) -> list[Notification]:
    """Called by the calibration services when a session is planned, opened, revealed,
    completed or cancelled."""
    if kind in (Kind.INVITATION, Kind.RESCHEDULED, Kind.CANCELLED):
        users = _people(session)
    elif kind == Kind.SUMMARY:
        users = [session.facilitator, *_people(session, ParticipantRole.EVALUATOR)]
    elif kind == Kind.RESULTS_SHARED:
        users = User.objects.filter(
            agent_profile__contacts__sessioncontact__session=session
        ).distinct()
    else:
        users = _people(session, ParticipantRole.EVALUATOR)
    return _notify(users, lambda user: _session_message(kind, session, user))


def action_assigned(*, action: FollowUpAction) -> list[Notification]:
    return _notify([action.owner], lambda user: _action_message(Kind.ACTION_ASSIGNED, action, user))


def scoring_reminders_send(*, now: datetime) -> list[Notification]:
    """Remind, once per person and session, the evaluators who have not submitted every contact
    of a session whose scoring deadline is less than REMINDER_BEFORE away."""
    made = []
    sessions = CalibrationSession.objects.filter(
        status=SessionStatus.SCORING,
        scoring_deadline__gt=now,
        scoring_deadline__lte=now + REMINDER_BEFORE,
    ).select_related("version__scorecard", "facilitator")
    for session in sessions:
        total = session.session_contacts.count()
        submitted: dict[int, int] = {}
        for evaluator_id in Evaluation.objects.filter(
            session=session, status=EvaluationStatus.SUBMITTED
        ).values_list("evaluator_id", flat=True):
            submitted[evaluator_id] = submitted.get(evaluator_id, 0) + 1
        for user in _people(session, ParticipantRole.EVALUATOR):
            left = total - submitted.get(user.pk, 0)
            if left > 0:
                made += _notify(
                    [user],
                    partial(
                        _session_message, Kind.SCORING_REMINDER, session, left=left, total=total
                    ),
                )
    return made


def actions_due_send(*, today) -> list[Notification]:
    """Tell owners, once per due date, about open actions due by tomorrow."""
    made = []
    actions = (
        FollowUpAction.objects.exclude(status=ActionStatus.DONE)
        .filter(due_date__isnull=False, due_date__lte=today + timedelta(days=1))
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("owner", "session")
    )
    for action in actions:
        made += _notify([action.owner], partial(_action_message, Kind.ACTION_DUE, action))
    return made


# --- sending -----------------------------------------------------------------------------------


def _claim(now: datetime, limit: int) -> list[Notification]:
    """Take up to ``limit`` e-mails that are due, or whose sender died, for this worker. The
    conditional UPDATE is the lock: of two workers, only one gets each row."""
    due = Notification.objects.filter(
        Q(email_status=EmailStatus.PENDING, next_attempt_at__isnull=True)
        | Q(email_status=EmailStatus.PENDING, next_attempt_at__lte=now)
        | Q(email_status=EmailStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).order_by("pk")
    claimed = []
    for candidate in due[:limit]:
        taken = Notification.objects.filter(
            pk=candidate.pk, email_status=candidate.email_status, claimed_at=candidate.claimed_at
        ).update(email_status=EmailStatus.SENDING, claimed_at=now)
        if taken:
            claimed.append(candidate)
    return claimed


def _attachments(notification: Notification, user: User) -> list[tuple[str, bytes, str]]:
    session = notification.session
    if notification.kind in (Kind.INVITATION, Kind.RESCHEDULED, Kind.CANCELLED):
        method = "CANCEL" if notification.kind == Kind.CANCELLED else "REQUEST"
        ics = calendar.invitation(
            session_meeting(session), method=method, stamp=notification.created_at
        )
        return [("invitation.ics", ics, f'text/calendar; method={method}; charset="utf-8"')]
    if notification.kind == Kind.SUMMARY:
        from qalibrate.reports.exports import report_pdf
        from qalibrate.reports.selectors import session_report

        with translation.override(user.language or settings.LANGUAGE_CODE):
            pdf = report_pdf(session_report(session))
        return [(f"calibration-report-{session.pk}.pdf", pdf, "application/pdf")]
    return []


def session_meeting(session: CalibrationSession) -> calendar.Meeting:
    facilitator = session.facilitator
    return calendar.Meeting(
        uid=f"session-{session.pk}@{settings.CALENDAR_UID_DOMAIN}",
        title=session.title,
        start=session.meeting_at,
        minutes=session.duration_minutes,
        time_zone=facilitator.time_zone or settings.TIME_ZONE,
        organizer=calendar.Person(str(facilitator), facilitator.email or "qalibrate@localhost"),
        attendees=[calendar.Person(str(u), u.email) for u in _people(session) if u.email],
        description=session.agenda,
        location=session.location,
        url=absolute(reverse("session_detail", args=[session.pk])),
        sequence=session.calendar_sequence,
    )


def _send(notification: Notification, connection) -> None:
    user = notification.user
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
    )
    message.attach_alternative(notification.body_html, "text/html")
    for name, content, mimetype in _attachments(notification, user):
        message.attach(name, content, mimetype)
    message.send()


def deliver_pending(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the e-mails that are due. Returns how many were sent, failed for now, and skipped."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    claimed = _claim(now, limit)
    if not claimed:
        return counts
    connection = get_connection(fail_silently=False)
    for notification in Notification.objects.filter(pk__in=[n.pk for n in claimed]).select_related(
        "user", "session__facilitator", "session__version__scorecard"
    ):
        session = notification.session
        if (
            session is not None
            and session.status == SessionStatus.CANCELLED
            and notification.kind != Kind.CANCELLED
        ):
            notification.email_status = EmailStatus.SKIPPED
            counts["skipped"] += 1
        else:
            try:
                _send(notification, connection)
            except Exception as error:  # noqa: BLE001 (any failure of the mail server is retried)
                notification.attempts += 1
                notification.last_error = f"{type(error).__name__}: {error}"[:2000]
                if notification.attempts >= MAX_ATTEMPTS:
                    notification.email_status = EmailStatus.FAILED
                    counts["failed"] += 1
                    log.error("e-mail %s failed for good: %s", notification.pk, error)
                else:
                    notification.email_status = EmailStatus.PENDING
                    notification.next_attempt_at = now + retry_delay(notification.attempts)
                    counts["retry"] += 1
                    log.warning("e-mail %s failed, retrying: %s", notification.pk, error)
            else:
                notification.email_status = EmailStatus.SENT
                notification.sent_at = timezone.now()
                counts["sent"] += 1
        notification.claimed_at = None
        notification.save(
            update_fields=[
                "email_status", "attempts", "last_error", "next_attempt_at", "sent_at",
                "claimed_at",
            ]
        )  # fmt: skip
    return counts


def retry_now(*, notification: Notification) -> None:
    """An administrator sends a failed e-mail again."""
    Notification.objects.filter(
        pk=notification.pk, email_status__in=[EmailStatus.FAILED, EmailStatus.PENDING]
    ).update(email_status=EmailStatus.PENDING, next_attempt_at=None, attempts=0)
    transaction.on_commit(_wake_the_outbox)


def mark_read(*, user: User, pk: int | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


def subscription_for(user: User) -> Subscription:
    subscription, _created = Subscription.objects.get_or_create(user=user)
    return subscription


def emails_wanted_set(*, user: User, kinds) -> Subscription:
    """Keep the optional e-mails in ``kinds``, turn the other optional ones off."""
    subscription = subscription_for(user)
    wanted = set(kinds)
    subscription.emails_off = [kind for kind in optional_kinds() if kind not in wanted]
    subscription.save(update_fields=["emails_off"])
    return subscription


def feed_token_renew(*, user: User) -> Subscription:
    """A new secret address for the calendar feed; the old one stops working at once."""
    subscription = subscription_for(user)
    subscription.feed_token = new_feed_token()
    subscription.save(update_fields=["feed_token"])
    return subscription
