"""Telling other systems what happened: each event makes one Delivery per active webhook that
asked for it (and whose team it concerns), in the caller's transaction; the sender posts them
afterwards (deliver_pending).

Guarantees (tested): one delivery per webhook and event (a unique key); every attempt carries
the same webhook-id, so a receiver can drop a repeat; an answer other than 2xx, a refused
connection or a timeout is retried after 1, 2, 4, 8 … minutes and, after MAX_ATTEMPTS, marked
failed in the delivery log, where an administrator can send it again; each delivery is claimed
just before it is posted, and a claim left by a worker that died is taken over (at once on the
same machine, after CLAIM_TIMEOUT from another); a queue that is down never fails the change
(the every-minute deliver_due posts it later).

A payload names things by id and address, never a person by name and never a score: the
receiver reads what it may through the API, under its own token and the same blind rules."""

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import User
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    FollowUpAction,
    SessionStatus,
)
from qalibrate.evaluations.models import Evaluation
from qalibrate.notifications.messages import absolute
from qalibrate.notifications.services import holder_is_alive, retry_delay, worker_name
from qalibrate.webhooks import signing
from qalibrate.webhooks.models import (
    Delivery,
    DeliveryStatus,
    Event,
    Webhook,
    new_secret,
)
from qalibrate.webhooks.permissions import can_manage_webhooks

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8  # the last about two hours after the first (1+2+…+64 minutes)
POST_TIMEOUT = 10  # seconds a receiver has to answer
CLAIM_TIMEOUT = timedelta(minutes=1)  # well above POST_TIMEOUT: a live sender is never taken over
ANSWER_KEPT = 500  # characters of a refusing receiver's answer kept in the log


# --- webhooks ------------------------------------------------------------------------------


def _check(user: User) -> None:
    if not can_manage_webhooks(user):
        raise PermissionDenied


@transaction.atomic
def webhook_save(*, user: User, webhook: Webhook) -> Webhook:
    """Create or change a webhook (its fields validated by the form or serializer)."""
    _check(user)
    if webhook.pk is None:
        webhook.created_by = user
    webhook.events = [e for e in dict.fromkeys(webhook.events) if e in Event.values]
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, user: User, webhook: Webhook) -> None:
    """Gone with its delivery log; what waits is not sent."""
    _check(user)
    webhook.delete()


@transaction.atomic
def secret_renew(*, user: User, webhook: Webhook) -> Webhook:
    """A new secret; deliveries still waiting are signed with it when they are sent."""
    _check(user)
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    return webhook


@transaction.atomic
def ping(*, user: User, webhook: Webhook) -> Delivery:
    """A test event, so an administrator sees at once whether the receiver answers."""
    _check(user)
    now = timezone.now()
    delivery = Delivery.objects.create(
        webhook=webhook,
        event=Event.PING,
        key=f"ping:{now.timestamp()}",
        payload=_envelope(Event.PING, now, {"webhook": {"id": webhook.pk, "name": webhook.name}}),
    )
    transaction.on_commit(_wake_the_sender)
    return delivery


def retry_now(*, user: User, delivery: Delivery) -> None:
    """Send a failed (or waiting) delivery again, from the first attempt."""
    _check(user)
    retried = Delivery.objects.filter(
        pk=delivery.pk, status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING]
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=None, attempts=0)
    if not retried:
        raise ValidationError(_("Only a failed or waiting delivery can be sent again."))
    transaction.on_commit(_wake_the_sender)


# --- events ----------------------------------------------------------------------------------


def _envelope(event: str, moment: datetime, data: dict) -> dict:
    return {"type": event, "timestamp": moment.isoformat(), "data": data}


def _session_data(session: CalibrationSession) -> dict:
    return {
        "id": session.pk,
        "title": session.title,
        "status": session.status,
        "team": session.team_id,
        "meeting_at": session.meeting_at.isoformat() if session.meeting_at else None,
        "scoring_deadline": (
            session.scoring_deadline.isoformat() if session.scoring_deadline else None
        ),
        "url": absolute(reverse("session_detail", args=[session.pk])),
        "api_url": absolute(reverse("api:session-detail", args=[session.pk])),
    }


def record(*, event: str, key: str, team_id: int | None, data: dict) -> list[Delivery]:
    """One delivery of the event for each active webhook that asked for it and whose team (if
    it has one) the event concerns; a webhook that has this key already gets nothing new."""
    hooks = Webhook.objects.filter(active=True).filter(Q(team__isnull=True) | Q(team_id=team_id))
    payload = _envelope(event, timezone.now(), data)
    made = []
    for webhook in hooks:
        if event not in webhook.events:
            continue
        try:
            with transaction.atomic():  # a savepoint: a repeat must not break the caller's
                made.append(
                    Delivery.objects.create(webhook=webhook, event=event, key=key, payload=payload)
                )
        except IntegrityError:
            continue
    if made:
        transaction.on_commit(_wake_the_sender)
    return made


def session_event(*, session: CalibrationSession, event: str) -> list[Delivery]:
    key = f"session:{session.pk}:{event}"
    if event == Event.SESSION_RESCHEDULED:
        key = f"{key}:{session.calendar_sequence}"
    return record(
        event=event, key=key, team_id=session.team_id, data={"session": _session_data(session)}
    )


def evaluation_event(*, evaluation: Evaluation, event: str) -> list[Delivery]:
    data = {
        "evaluation": {
            "id": evaluation.pk,
            "status": evaluation.status,
            "revision": evaluation.revision,
            "contact": evaluation.contact_id,
            "session": evaluation.session_id,
            "evaluator": evaluation.evaluator_id,
            "api_url": absolute(reverse("api:evaluation-detail", args=[evaluation.pk])),
        }
    }
    return record(
        event=event,
        key=f"evaluation:{evaluation.pk}:{event}:{evaluation.revision}",
        team_id=evaluation.contact.team_id,
        data=data,
    )


def actions_due_record(*, today) -> list[Delivery]:
    """Open actions due by tomorrow, once per action and due date (as the owners' e-mails)."""
    actions = (
        FollowUpAction.objects.exclude(status=ActionStatus.DONE)
        .filter(due_date__isnull=False, due_date__lte=today + timedelta(days=1))
        .exclude(session__status=SessionStatus.CANCELLED)
        .select_related("session")
    )
    made = []
    for action in actions:
        data = {
            "action": {
                "id": action.pk,
                "description": action.description,
                "due_date": action.due_date.isoformat(),
                "owner": action.owner_id,
                "status": action.status,
            },
            "session": _session_data(action.session),
        }
        made += record(
            event=Event.ACTION_DUE,
            key=f"action:{action.pk}:due:{action.due_date}",
            team_id=action.session.team_id,
            data=data,
        )
    return made


_queue_down = False  # said once per outage


def _wake_the_sender() -> None:
    """Ask a worker to post now; after the commit, so it never raises (deliver_due catches up)."""
    global _queue_down
    from qalibrate.webhooks import tasks

    try:
        tasks.deliver()
    except Exception as error:  # noqa: BLE001 (Redis or the queue file down: any error alike)
        if not _queue_down:
            _queue_down = True
            log.warning("the job queue is unreachable (%s); webhooks wait for deliver_due", error)
    else:
        _queue_down = False


# --- sending ---------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    return Q(status=DeliveryStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(candidate: tuple, now: datetime, me: str) -> bool:
    """Take one delivery for this process; the conditional UPDATE is the lock."""
    pk, status, claimed_by, claimed_at = candidate
    if status == DeliveryStatus.PENDING:
        condition = Q(pk=pk) & _due(now)
    elif (
        claimed_at is not None and claimed_at >= now - CLAIM_TIMEOUT and holder_is_alive(claimed_by)
    ):
        return False  # being posted right now
    else:
        condition = Q(
            pk=pk, status=DeliveryStatus.SENDING, claimed_by=claimed_by, claimed_at=claimed_at
        )
    return bool(
        Delivery.objects.filter(condition).update(
            status=DeliveryStatus.SENDING, claimed_at=now, claimed_by=me
        )
    )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx: the body is not posted anywhere else."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(delivery: Delivery, *, now: datetime) -> int:
    """Post one delivery, signed; returns the receiver's HTTP status (raises when none)."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (the address is an http(s) URLField)
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Qalibrate-Webhooks/1",
            **signing.headers(
                delivery.webhook.secret,
                message_id=str(delivery.message_id),
                timestamp=int(now.timestamp()),
                body=body,
            ),
        },
    )
    try:
        with _opener.open(request, timeout=POST_TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        delivery.last_error = answer.read(ANSWER_KEPT).decode("utf-8", "replace")
        return answer.code


def deliver_pending(*, now: datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Post the deliveries that are due, up to ``limit``, each claimed just before it goes."""
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    moment = now or timezone.now()
    here = worker_name().rpartition(":")[0] + ":"
    candidates = list(
        Delivery.objects.filter(
            _due(moment)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=moment - CLAIM_TIMEOUT)
            | Q(status=DeliveryStatus.SENDING, claimed_by__startswith=here)
        )
        .order_by("pk")
        .values_list("pk", "status", "claimed_by", "claimed_at")[:limit]
    )
    me = worker_name()
    for candidate in candidates:
        moment = now or timezone.now()
        if not _claim(candidate, moment, me):
            continue
        delivery = Delivery.objects.select_related("webhook").get(pk=candidate[0])
        outcome = _deliver_one(delivery, moment)
        counts[outcome] += 1
        Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_by=me, claimed_at=moment
        ).update(
            status=delivery.status,
            attempts=delivery.attempts,
            response_status=delivery.response_status,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            claimed_at=None,
            claimed_by="",
        )
    return counts


def _deliver_one(delivery: Delivery, now: datetime) -> str:
    """Post one claimed delivery and set what became of it on the instance."""
    delivery.attempts += 1
    delivery.last_error = ""
    try:
        delivery.response_status = post(delivery, now=now)
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, bad address
        delivery.response_status = None
        delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    if delivery.response_status is not None and 200 <= delivery.response_status < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        return "delivered"
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        log.error("webhook delivery %s failed for good", delivery.pk)
        return "failed"
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    log.warning("webhook delivery %s failed (%s), retrying", delivery.pk, delivery.response_status)
    return "retry"
