"""The webhook pages: administrators only; a webhook made, changed, pinged, given a new secret
and deleted from them; the delivery log shows what became of each event."""

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.webhooks.models import Delivery, DeliveryStatus, Webhook

PAGES = [
    ("get", "webhook_list", False),
    ("get", "webhook_create", False),
    ("get", "webhook_detail", True),
    ("get", "webhook_edit", True),
    ("post", "webhook_ping", True),
    ("post", "webhook_secret_renew", True),
    ("post", "webhook_delete", True),
]


@pytest.mark.parametrize("role", [Role.QA_LEAD, Role.EVALUATOR, Role.AGENT])
@pytest.mark.parametrize(("method", "name", "takes_pk"), PAGES)
def test_only_administrators_reach_the_pages(client, users, webhook, role, method, name, takes_pk):
    url = reverse(name, args=[webhook.pk] if takes_pk else [])
    client.force_login(users[role])
    assert getattr(client, method)(url).status_code == 403
    client.logout()
    assert getattr(client, method)(url).status_code == 302  # to the log-in page
    assert Webhook.objects.get().secret == webhook.secret
    assert not Delivery.objects.exists()


def test_a_new_webhook_is_made_from_the_form(client, users, receiver):
    client.force_login(users[Role.ADMIN])
    assert "New webhook" in client.get(reverse("webhook_create")).content.decode()
    response = client.post(
        reverse("webhook_create"),
        {"name": "Dialler", "url": receiver.url, "events": ["session.revealed"], "active": "on"},
    )
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhook_detail", args=[webhook.pk])
    assert (webhook.events, webhook.created_by, webhook.team) == (
        ["session.revealed"],
        users[Role.ADMIN],
        None,
    )
    page = client.get(response["Location"]).content.decode()
    assert webhook.secret in page
    assert "A session&#x27;s scores are revealed" in page


def test_a_bad_form_keeps_what_was_typed_and_says_why(client, users):
    client.force_login(users[Role.ADMIN])
    response = client.post(
        reverse("webhook_create"), {"name": "Dialler", "url": "ftp://example.com/in"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one event." in page
    assert "Enter a valid URL." in page
    assert 'value="Dialler"' in page
    assert not Webhook.objects.exists()


def test_pinging_shows_the_delivery_in_the_log(
    client, users, webhook, receiver, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhook_ping", args=[webhook.pk]))
    assert response.status_code == 302
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1
    page = client.get(reverse("webhook_detail", args=[webhook.pk])).content.decode()
    assert "HTTP 200" in page
    assert "delivered" in page


def test_a_failed_delivery_is_sent_again_from_the_log(client, users, webhook):
    delivery = Delivery.objects.create(
        webhook=webhook, event="ping", key="ping:1", payload={}, status="failed", attempts=8
    )
    client.force_login(users[Role.ADMIN])
    page = client.get(reverse("webhook_detail", args=[webhook.pk])).content.decode()
    assert reverse("webhook_delivery_retry", args=[delivery.pk]) in page
    client.post(reverse("webhook_delivery_retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    client.force_login(users[Role.QA_LEAD])
    assert client.post(reverse("webhook_delivery_retry", args=[delivery.pk])).status_code == 403


def test_a_new_secret_and_deleting(client, users, webhook):
    client.force_login(users[Role.ADMIN])
    old = webhook.secret
    client.post(reverse("webhook_secret_renew", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret.startswith("whsec_")
    client.post(reverse("webhook_delete", args=[webhook.pk]))
    assert not Webhook.objects.exists()


def test_the_list_counts_failed_and_waiting_deliveries(client, users, webhook):
    for number, status in enumerate(["failed", "pending", "pending", "delivered"]):
        Delivery.objects.create(
            webhook=webhook, event="ping", key=f"ping:{number}", payload={}, status=status
        )
    client.force_login(users[Role.ADMIN])
    page = client.get(reverse("webhook_list")).content.decode()
    assert "1 failed" in page
    assert "2 waiting" in page
    assert "Data warehouse" in page


def test_the_administrators_home_links_the_webhooks(client, users):
    client.force_login(users[Role.ADMIN])
    assert reverse("webhook_list") in client.get("/").content.decode()
