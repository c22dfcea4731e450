"""Telling people what happened: each event makes one Notification per recipient (the bell) in
the caller's transaction, and the outbox sends their e-mails afterwards (deliver_pending).

Guarantees (tested): one notification per person and event (a unique key; a job that runs twice
adds nothing); an SMTP failure is retried with back-off and, after MAX_ATTEMPTS, shown to
administrators as failed; each e-mail is claimed just before it is sent, and a claim left by a
worker that died is taken over at once on the same machine, after CLAIM_TIMEOUT from another;
each e-mail has a stable Message-ID, so a receiving system can tell a repeat; nothing more is
sent for a cancelled session but the cancellation itself; a queue that is down never fails the
change that made a notification (the every-minute deliver_due sends it later).
"""

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from qalibrate.accounts.models import Role, User
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    FollowUpAction,
    ParticipantRole,
    SessionStatus,
)
from qalibrate.double_scoring import selectors as pair_selectors
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.history.evaluator_selectors import drift_verdict
from qalibrate.notifications import calendar, messages
from qalibrate.notifications.models import (
    EmailStatus,
    JobLease,
    Kind,
    Notification,
    Subscription,
    new_feed_token,
)
from qalibrate.notifications.selectors import optional_kinds

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim covers one e-mail: longer than one SMTP conversation lasts (each step of it waits at most
# settings.EMAIL_TIMEOUT, or SEND_TIMEOUT seconds), so a live sender is never taken over.
CLAIM_TIMEOUT = timedelta(minutes=2)
SEND_TIMEOUT = 30
REMINDER_BEFORE = timedelta(hours=24)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


# --- making notifications -------------------------------------------------------------------


def _notify(users, *, kind: str, key: str, params: dict, session=None) -> list[Notification]:
    """One notification per user of this kind, key and parameters; a user who already has this
    key gets nothing new. The words are written again whenever it is read (messages.py); those
    of today, in the user's language, are kept only for a row whose parameters cannot be read."""
    made = []
    users = list(dict.fromkeys(u for u in users if u.is_active))
    subscriptions = {s.user_id: s for s in Subscription.objects.filter(user__in=users)}
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            message = messages.render(kind, params, messages.reader_zone(user))
            text, html = messages.letter(message, user)
        subscription = subscriptions.get(user.pk)
        if not user.email:
            email_status = EmailStatus.NO_ADDRESS
        elif subscription is not None and not subscription.wants_email(kind):
            email_status = EmailStatus.OFF
        else:
            email_status = EmailStatus.PENDING
        try:
            with transaction.atomic():  # a savepoint: a duplicate must not break the caller's
                made.append(
                    Notification.objects.create(
                        user=user,
                        kind=kind,
                        key=key,
                        session=session,
                        params=params,
                        subject=message.subject,
                        body_text=text,
                        body_html=html,
                        url=message.url,
                        email_status=email_status,
                    )
                )
        except IntegrityError:
            continue  # told already
    if made:
        transaction.on_commit(_wake_the_outbox)
    return made


_queue_down = False  # said once per outage, not on every change while it lasts


def _wake_the_outbox() -> None:
    """Ask a worker to send now. Runs after the commit, so it must never raise: the change is
    saved, and an e-mail the queue did not take goes with the next deliver_due (every minute)."""
    global _queue_down
    from qalibrate.notifications import tasks

    try:
        tasks.deliver()
    except Exception as error:  # noqa: BLE001 (Redis or the queue file down: any error alike)
        if not _queue_down:
            _queue_down = True
            log.warning(
                "the job queue is unreachable (%s: %s); the e-mails wait in the outbox and go "
                "once a worker's every-minute delivery runs again",
                type(error).__name__,
                error,
            )
    else:
        if _queue_down:
            _queue_down = False
            log.warning("the job queue is reachable again")


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
    key = f"session:{session.pk}:{kind}"
    extra = {}
    if kind == Kind.RESCHEDULED:
        key = f"{key}:{session.calendar_sequence}"
    elif kind == Kind.MATERIALS_READY:
        extra["contacts"] = session.session_contacts.count()
    elif kind == Kind.SUMMARY:
        extra["summary"] = session.summary
    params = messages.session_params(session, **extra)
    return _notify(users, kind=kind, key=key, params=params, session=session)


def action_assigned(*, action: FollowUpAction) -> list[Notification]:
    return _notify(
        [action.owner],
        kind=Kind.ACTION_ASSIGNED,
        key=f"action:{action.pk}:assigned",
        params=messages.action_params(action),
        session=action.session,
    )


def drift_alert(*, record, drifting) -> list[Notification]:
    """Tell the session's facilitator (its QA lead) that evaluators drift by the team's rule
    (history.services.drift_check, when a session is recorded): once per evaluator and
    session, with the rule's figures (history/drift.py) and a link to the evaluator's page."""
    session = record.session
    made = []
    for row in drifting:
        params = messages.drift_params(record, row, drift_verdict(row=row))
        made += _notify(
            [session.facilitator],
            kind=Kind.DRIFT,
            key=f"session:{session.pk}:{Kind.DRIFT}:{row.evaluator_id}",
            params=params,
            session=session,
        )
    return made


def pair_drift_alert(*, pair) -> list[Notification]:
    """Tell the team's QA leads when a completed pair makes one of its evaluators reach
    OUTSIDE_IN_A_ROW pairs in a row outside the tolerance: once per evaluator and pair."""
    made = []
    leads = User.objects.filter(teams=pair.team_id, role=Role.QA_LEAD, is_active=True)
    for evaluation in (pair.first, pair.second):
        evaluator = evaluation.evaluator
        run, latest = pair_selectors.outside_in_a_row(evaluator=evaluator, team_id=pair.team_id)
        if run != pair_selectors.OUTSIDE_IN_A_ROW or evaluator.is_automatic:
            continue
        params = messages.pair_drift_params(pair, evaluator, run)
        made += _notify(
            [lead for lead in leads if lead.pk != evaluator.pk],
            kind=Kind.PAIR_DRIFT,
            key=f"pair:{pair.pk}:{Kind.PAIR_DRIFT}:{evaluator.pk}",
            params=params,
        )
    return made


def second_evaluation_notify(*, pair) -> list[Notification]:
    """Tell the second evaluator of a contact drawn for double scoring; nothing of the first
    evaluation, not even who made it."""
    second = pair.second
    return _notify(
        [second.evaluator],
        kind=Kind.SECOND_EVALUATION,
        key=f"pair:{pair.pk}:{Kind.SECOND_EVALUATION}",
        params=messages.second_evaluation_params(pair),
    )


def certification_notify(*, certification) -> list[Notification]:
    """Tell the candidate that a QA lead has started their gold-set certification."""
    return _notify(
        [certification.evaluator],
        kind=Kind.CERTIFICATION,
        key=f"certification:{certification.pk}:{Kind.CERTIFICATION}",
        params=messages.certification_params(certification),
    )


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
                    kind=Kind.SCORING_REMINDER,
                    key=f"session:{session.pk}:{Kind.SCORING_REMINDER}",
                    params=messages.session_params(session, left=left, total=total),
                    session=session,
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
        made += _notify(
            [action.owner],
            kind=Kind.ACTION_DUE,
            key=f"action:{action.pk}:due:{action.due_date}",
            params=messages.action_params(action),
            session=action.session,
        )
    return made


# --- sending -----------------------------------------------------------------------------------


def worker_name() -> str:
    """This process as "host:pid", for e-mail claims and job leases. On Linux the host part also
    names the process namespace: two containers may share a host name, never their process ids."""
    host = socket.gethostname()
    try:
        host += "/" + os.readlink("/proc/self/ns/pid").removeprefix("pid:[").removesuffix("]")
    except OSError:
        pass
    return f"{host}:{os.getpid()}"


def _process_is_alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill would end it there; an expiry has to do
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's: alive
    try:  # a zombie (killed, not yet reaped by its parent) has finished all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def holder_is_alive(holder: str) -> bool:
    """False only when the holder ran on this machine and its process is gone; of a process
    elsewhere nothing can be told, so it counts as alive until its claim or lease expires."""
    place, _, pid = holder.rpartition(":")
    me_place = worker_name().rpartition(":")[0]
    if place != me_place or not pid.isdigit():
        return True
    return _process_is_alive(int(pid))


def _due(now: datetime) -> Q:
    return Q(email_status=EmailStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _candidates(now: datetime, limit: int) -> list[tuple]:
    """E-mails that are due, or claimed by a sender that may be dead: a stale claim, or one made
    on this machine (its process is looked at when claiming)."""
    here = worker_name().rpartition(":")[0] + ":"
    return list(
        Notification.objects.filter(
            _due(now)
            | Q(email_status=EmailStatus.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
            | Q(email_status=EmailStatus.SENDING, claimed_by__startswith=here)
        )
        .order_by("pk")
        .values_list("pk", "email_status", "claimed_by", "claimed_at")[:limit]
    )


def _claim(candidate: tuple, now: datetime, me: str) -> bool:
    """Take one e-mail for this process, right before sending it. The conditional UPDATE is the
    lock: of two workers, only one gets it."""
    pk, status, claimed_by, claimed_at = candidate
    if status == EmailStatus.PENDING:
        condition = Q(pk=pk) & _due(now)  # due still: not sent or rescheduled meanwhile
    elif (
        claimed_at is not None and claimed_at >= now - CLAIM_TIMEOUT and holder_is_alive(claimed_by)
    ):
        return False  # being sent right now
    else:
        condition = Q(
            pk=pk, email_status=EmailStatus.SENDING, claimed_by=claimed_by, claimed_at=claimed_at
        )
    taken = Notification.objects.filter(condition).update(
        email_status=EmailStatus.SENDING, claimed_at=now, claimed_by=me
    )
    if taken and status == EmailStatus.SENDING:
        log.warning(
            "e-mail %s: taken over from %s (its process is gone or its claim stale)",
            pk,
            claimed_by or "an older worker",
        )
    return bool(taken)


def _attachments(notification: Notification, user: User) -> list[tuple[str, bytes, str]]:
    session = notification.session
    if notification.kind in (Kind.INVITATION, Kind.RESCHEDULED, Kind.CANCELLED):
        method = "CANCEL" if notification.kind == Kind.CANCELLED else "REQUEST"
        ics = calendar.invitation(
            session_meeting(session), method=method, stamp=notification.created_at
        )
        return [("invitation.ics", ics, f'text/calendar; method={method}; charset="utf-8"')]
    if notification.kind == Kind.SUMMARY:
        from qalibrate.reports.pdf import report_pdf
        from qalibrate.reports.selectors import session_report

        with (
            translation.override(user.language or settings.LANGUAGE_CODE),
            timezone.override(user.time_zone or settings.TIME_ZONE),
        ):
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
        url=messages.absolute(reverse("session_detail", args=[session.pk])),
        sequence=session.calendar_sequence,
    )


def _letter(notification: Notification, user: User) -> tuple[str, str, str]:
    """Subject, text and HTML, written now in the recipient's language and time zone."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        message = messages.words(notification, messages.reader_zone(user))
        if message.stored:
            return notification.subject, notification.body_text, notification.body_html
        return message.subject, *messages.letter(message, user)


def message_id(notification: Notification) -> str:
    """The same for every attempt, so a receiving system can recognise a repeat."""
    return f"<notification-{notification.pk}@{settings.CALENDAR_UID_DOMAIN}>"


def _send(notification: Notification, connection) -> None:
    user = notification.user
    subject, text, html = _letter(notification, user)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        connection=connection,
        headers={"Message-ID": message_id(notification)},
    )
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in _attachments(notification, user):
        message.attach(name, content, mimetype)
    message.send()


def deliver_pending(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send the e-mails that are due, up to ``limit``, each claimed just before it is sent (so a
    worker that dies leaves one claim, not a batch). Returns how many were sent, failed for now,
    and skipped."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    candidates = _candidates(now or timezone.now(), limit)
    if not candidates:
        return counts
    me = worker_name()
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT)
    related = ("user", "session__facilitator", "session__version__scorecard")
    for candidate in candidates:
        moment = now or timezone.now()  # each claim is fresh
        if not _claim(candidate, moment, me):
            continue
        notification = Notification.objects.select_related(*related).get(pk=candidate[0])
        outcome = _deliver_one(notification, connection, moment)
        counts[outcome] += 1
        done = Notification.objects.filter(
            pk=notification.pk, email_status=EmailStatus.SENDING, claimed_by=me, claimed_at=moment
        ).update(
            email_status=notification.email_status,
            attempts=notification.attempts,
            last_error=notification.last_error,
            next_attempt_at=notification.next_attempt_at,
            sent_at=notification.sent_at,
            claimed_at=None,
            claimed_by="",
        )
        if not done:
            log.warning(
                "e-mail %s: another worker took it over while this one was sending (%s)",
                notification.pk,
                outcome,
            )
    return counts


def _deliver_one(notification: Notification, connection, now: datetime) -> str:
    """Send one claimed e-mail and set what became of it on the instance; returns the outcome."""
    session = notification.session
    if (
        session is not None
        and session.status == SessionStatus.CANCELLED
        and notification.kind != Kind.CANCELLED
    ):
        notification.email_status = EmailStatus.SKIPPED
        return "skipped"
    try:
        _send(notification, connection)
    except Exception as error:  # noqa: BLE001 (any failure of the mail server is retried)
        notification.attempts += 1
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.email_status = EmailStatus.FAILED
            log.error("e-mail %s failed for good: %s", notification.pk, error)
            return "failed"
        notification.email_status = EmailStatus.PENDING
        notification.next_attempt_at = now + retry_delay(notification.attempts)
        log.warning("e-mail %s failed, retrying: %s", notification.pk, error)
        return "retry"
    notification.email_status = EmailStatus.SENT
    notification.sent_at = timezone.now()
    return "sent"


def retry_now(*, notification: Notification) -> None:
    """An administrator sends a failed e-mail again."""
    Notification.objects.filter(
        pk=notification.pk, email_status__in=[EmailStatus.FAILED, EmailStatus.PENDING]
    ).update(email_status=EmailStatus.PENDING, next_attempt_at=None, attempts=0)
    transaction.on_commit(_wake_the_outbox)


# --- job leases --------------------------------------------------------------------------------


def lease_take(name: str, *, duration: timedelta, now: datetime | None = None) -> JobLease | None:
    """The lease on a periodic job for ``duration``, or None when another live process holds it.
    A lease that expired, or whose holder's process on this machine is gone, is taken over."""
    now = now or timezone.now()
    me = worker_name()
    mine = JobLease(name=name, holder=me, expires_at=now + duration)
    for _attempt in range(3):  # the row may come and go between the statements: look again
        try:
            with transaction.atomic():
                mine.save(force_insert=True)
            return mine
        except IntegrityError:
            pass
        current = JobLease.objects.filter(name=name).first()
        if current is None:
            continue
        expired = current.expires_at <= now
        if not expired and holder_is_alive(current.holder):
            log.info(
                "job %s skipped: %s is running it (its lease lasts until %s)",
                name,
                current.holder,
                current.expires_at.isoformat(timespec="seconds"),
            )
            return None
        taken = JobLease.objects.filter(
            name=name, holder=current.holder, expires_at=current.expires_at
        ).update(holder=me, expires_at=mine.expires_at)
        if taken:
            log.warning(
                "job %s: taking over the lease of %s, %s",
                name,
                current.holder,
                "expired" if expired else "whose process is gone",
            )
            return mine
    return None


def lease_give_back(lease: JobLease) -> None:
    """Release a lease taken by lease_take (only if it is still this one's). Never raises: a
    lease that cannot be given back expires."""
    try:
        JobLease.objects.filter(
            name=lease.name, holder=lease.holder, expires_at=lease.expires_at
        ).delete()
    except DatabaseError as error:
        log.warning("job %s: lease left to expire (%s)", lease.name, error)


def mark_read(*, user: User, pk: int | None = None) -> int:
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
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
