"""Webhook deliveries against a real HTTP receiver on a local port: queued in the change's
transaction, signed as Standard Webhooks say (checked with the standardwebhooks package, as a
receiver would), retried with back-off under the same webhook-id, never lost when the receiver
is down, failed after the last attempt and sent again from the log."""

import json
import subprocess
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration_services
from qalibrate.calibration.models import FollowUpAction
from qalibrate.evaluations import services as evaluation_services
from qalibrate.notifications.services import worker_name
from qalibrate.webhooks import services
from qalibrate.webhooks.models import Delivery, DeliveryStatus, Webhook, new_secret
from tests.factories import TeamFactory
from tests.helpers import score_as
from tests.webhooks.receiver import Receiver

NOTHING = {"delivered": 0, "retry": 0, "failed": 0}


def open_session(users, session):
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="open")


def test_an_event_is_queued_only_if_its_change_is_saved(users, session, webhook):
    with pytest.raises(RuntimeError), transaction.atomic():
        open_session(users, session)
        raise RuntimeError("the change fails after the event")
    assert not Delivery.objects.exists()
    open_session(users, session)
    assert list(Delivery.objects.values_list("event", flat=True)) == ["session.opened"]


def test_a_delivery_is_signed_as_standard_webhooks_say(users, session, webhook, receiver):
    open_session(users, session)
    assert services.deliver_pending() == {**NOTHING, "delivered": 1}
    (got,) = receiver.received
    payload = StandardWebhook(webhook.secret).verify(got.body, got.headers)
    assert payload["type"] == "session.opened"
    assert payload["data"]["session"]["id"] == session.pk
    assert payload["data"]["session"]["api_url"].endswith(f"/api/v1/sessions/{session.pk}/")
    assert got.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get()
    assert got.headers["webhook-id"] == str(delivery.message_id)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(new_secret()).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        StandardWebhook(webhook.secret).verify(
            got.body.replace(b"opened", b"revealed"), got.headers
        )


def test_the_event_reaches_the_receiver_once_the_change_is_committed(
    users, session, webhook, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        open_session(users, session)
    assert [json.loads(r.body)["type"] for r in receiver.received] == ["session.opened"]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_a_refusal_is_retried_with_back_off_under_the_same_id(users, session, webhook, receiver):
    receiver.answers = [500, 503]
    open_session(users, session)
    start = timezone.now()
    assert services.deliver_pending(now=start) == {**NOTHING, "retry": 1}
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 500)
    assert delivery.last_error == "answer 500"
    assert delivery.next_attempt_at == start + timedelta(minutes=1)
    assert services.deliver_pending(now=start + timedelta(seconds=50)) == NOTHING  # not yet due
    assert services.deliver_pending(now=start + timedelta(minutes=1))["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == start + timedelta(minutes=3)  # then 2 minutes
    assert services.deliver_pending(now=start + timedelta(minutes=3))["delivered"] == 1
    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, "")


def test_a_stopped_receiver_loses_nothing(users, session, webhook, receiver):
    receiver.stop()
    open_session(users, session)
    start = timezone.now()
    assert services.deliver_pending(now=start)["retry"] == 1
    delivery = Delivery.objects.get()
    assert delivery.response_status is None
    assert "refused" in delivery.last_error.lower()
    back = Receiver(port=receiver.port).start()  # the same address, running again
    try:
        assert services.deliver_pending(now=start + timedelta(minutes=1))["delivered"] == 1
        assert [json.loads(r.body)["type"] for r in back.received] == ["session.opened"]
    finally:
        back.stop()


def test_a_slow_receiver_is_given_up_on_and_tried_again(
    users, session, webhook, receiver, monkeypatch
):
    monkeypatch.setattr(services, "POST_TIMEOUT", 0.2)
    receiver.delay = 1.0
    open_session(users, session)
    assert services.deliver_pending()["retry"] == 1
    assert "timed out" in Delivery.objects.get().last_error


def test_a_redirect_is_not_followed(users, session, webhook, receiver):
    receiver.answers = [302]
    open_session(users, session)
    assert services.deliver_pending()["retry"] == 1
    assert [r.path for r in receiver.received] == ["/hooks/qalibrate"]
    assert Delivery.objects.get().response_status == 302


def test_after_the_last_attempt_it_fails_until_sent_again(users, session, webhook, receiver):
    receiver.answers = [500] * services.MAX_ATTEMPTS
    open_session(users, session)
    moment = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_pending(now=moment)
        moment += timedelta(hours=7)  # past the longest back-off
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert services.deliver_pending(now=moment) == NOTHING
    admin = users[Role.ADMIN]
    services.retry_now(user=admin, delivery=delivery)
    assert services.deliver_pending(now=moment)["delivered"] == 1
    with pytest.raises(ValidationError):
        services.retry_now(user=admin, delivery=delivery)  # delivered: nothing to send again


def test_a_claim_left_by_a_dead_worker_is_taken_over(users, session, webhook, receiver):
    open_session(users, session)
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = worker_name().rpartition(":")[0]
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, claimed_by=f"{host}:{dead.pid}", claimed_at=timezone.now()
    )
    assert services.deliver_pending()["delivered"] == 1
    assert len(receiver.received) == 1


def test_a_live_claim_is_left_alone(users, session, webhook, receiver):
    open_session(users, session)
    Delivery.objects.update(
        status=DeliveryStatus.SENDING, claimed_by=worker_name(), claimed_at=timezone.now()
    )
    assert services.deliver_pending() == NOTHING
    assert receiver.received == []


def test_only_the_asked_events_of_the_webhooks_team_are_queued(users, session, team, receiver):
    url = receiver.url
    Webhook.objects.create(name="opens", url=url, events=["session.opened"])
    Webhook.objects.create(name="reveals", url=url, events=["session.revealed"])
    Webhook.objects.create(name="own team", url=url, events=["session.opened"], team=team)
    Webhook.objects.create(name="sales", url=url, events=["session.opened"], team=TeamFactory())
    Webhook.objects.create(name="off", url=url, events=["session.opened"], active=False)
    open_session(users, session)
    names = set(Delivery.objects.values_list("webhook__name", flat=True))
    assert names == {"opens", "own team"}


def test_an_event_is_queued_once_however_often_it_is_told(users, session, webhook):
    open_session(users, session)
    services.session_event(session=session, event="session.opened")
    assert Delivery.objects.count() == 1


def test_every_step_of_a_session_is_told(users, revealed, webhook):
    lead = users[Role.QA_LEAD]
    calibration_services.session_complete(session=revealed, user=lead, summary="Agreed.")
    events = list(Delivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == ["session.completed"]
    planned = calibration_services.session_plan(
        user=lead,
        contacts=[sc.contact for sc in revealed.session_contacts.all()],
        evaluators=[users[Role.EVALUATOR]],
        title="April",
        version=revealed.version,
        team=revealed.team,
        facilitator=lead,
        scoring_deadline=timezone.now() + timedelta(days=1),
        meeting_at=timezone.now() + timedelta(days=2),
    )
    calibration_services.session_reschedule(
        session=planned,
        user=lead,
        meeting_at=planned.meeting_at + timedelta(days=1),
        scoring_deadline=planned.scoring_deadline,
        duration_minutes=60,
        location="Room 2",
    )
    calibration_services.session_move(session=planned, user=lead, action="cancel")
    events = list(Delivery.objects.order_by("pk").values_list("event", flat=True))
    assert events[1:] == ["session.planned", "session.rescheduled", "session.cancelled"]


def test_evaluation_events_name_no_score(users, session, webhook):
    open_session(users, session)
    contact = session.session_contacts.first().contact
    evaluation = score_as(users[Role.EVALUATOR], session, contact)
    evaluation.refresh_from_db()
    delivery = Delivery.objects.get(event="evaluation.submitted")
    assert delivery.payload["data"]["evaluation"] == {
        "id": evaluation.pk,
        "status": "submitted",
        "revision": evaluation.revision,
        "contact": contact.pk,
        "session": session.pk,
        "evaluator": users[Role.EVALUATOR].pk,
        "api_url": f"http://127.0.0.1:8000/api/v1/evaluations/{evaluation.pk}/",
    }
    evaluation_services.evaluation_reopen(
        evaluation=evaluation, user=users[Role.QA_LEAD], reason="Wrong form"
    )
    reopened = Delivery.objects.get(event="evaluation.reopened")
    assert reopened.payload["data"]["evaluation"]["revision"] == evaluation.revision + 1


def test_an_action_falling_due_is_told_once_per_due_date(users, session, webhook):
    action = FollowUpAction.objects.create(
        session=session,
        description="Clarify the greeting",
        owner=users[Role.QA_LEAD],
        due_date=date.today() + timedelta(days=1),
    )
    services.actions_due_record(today=date.today())
    services.actions_due_record(today=date.today())
    (delivery,) = Delivery.objects.filter(event="action.due")
    assert delivery.payload["data"]["action"]["id"] == action.pk
    action.due_date += timedelta(days=1)
    action.save()
    services.actions_due_record(today=date.today() + timedelta(days=1))
    assert Delivery.objects.filter(event="action.due").count() == 2


def test_only_administrators_manage_webhooks(users, webhook):
    for role in (Role.QA_LEAD, Role.EVALUATOR, Role.AGENT):
        with pytest.raises(PermissionDenied):
            services.ping(user=users[role], webhook=webhook)
    assert not Delivery.objects.exists()
    services.ping(user=users[Role.ADMIN], webhook=webhook)
    assert Delivery.objects.get().event == "ping"
