"""/api/v1/webhooks/ and /api/v1/webhook-deliveries/: administrators make, change, ping and
delete webhooks and read the delivery log; everyone else gets 403, nobody without a token 401."""

import pytest

from qalibrate.accounts.models import Role
from qalibrate.webhooks.models import Delivery, Webhook
from tests.api.conftest import api  # noqa: F401 (the fixture)


def test_an_administrator_makes_changes_and_deletes_a_webhook(api, users, receiver):  # noqa: F811
    client = api(users[Role.ADMIN])
    body = {"name": "BI", "url": receiver.url, "events": ["session.completed", "action.due"]}
    made = client.post("/api/v1/webhooks/", body, format="json")
    assert made.status_code == 201, made.json()
    webhook = made.json()
    assert webhook["secret"].startswith("whsec_")
    assert webhook["team"] is None
    url = f"/api/v1/webhooks/{webhook['id']}/"
    changed = client.patch(url, {"active": False, "events": ["ping"]}, format="json")
    assert changed.status_code == 400  # a test event is sent, not subscribed to
    assert changed.json()["errors"][0]["field"] == "events.0"
    changed = client.patch(url, {"active": False}, format="json")
    assert changed.json()["active"] is False
    assert Webhook.objects.get().created_by == users[Role.ADMIN]
    assert client.delete(url).status_code == 204
    assert not Webhook.objects.exists()


def test_ping_then_read_and_retry_the_log(api, users, webhook, receiver):  # noqa: F811
    client = api(users[Role.ADMIN])
    receiver.answers = [500] * 8
    pinged = client.post(f"/api/v1/webhooks/{webhook.pk}/ping/")
    assert pinged.status_code == 202
    assert pinged.json()["event"] == "ping"
    log = client.get(f"/api/v1/webhook-deliveries/?webhook={webhook.pk}").json()
    assert [d["event"] for d in log["results"]] == ["ping"]
    delivery = Delivery.objects.get()
    assert log["results"][0]["status"] == "pending"  # posted once the test's transaction commits
    Delivery.objects.update(status="delivered")
    refused = client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/retry/")
    assert refused.status_code == 400
    Delivery.objects.update(status="failed", attempts=8)
    assert client.post(f"/api/v1/webhook-deliveries/{delivery.pk}/retry/").status_code == 202
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    failed = client.get("/api/v1/webhook-deliveries/?status=failed").json()
    assert failed["count"] == 0


def test_a_new_secret(api, users, webhook):  # noqa: F811
    answer = api(users[Role.ADMIN]).post(f"/api/v1/webhooks/{webhook.pk}/secret/")
    assert answer.status_code == 200
    assert answer.json()["secret"] != webhook.secret


@pytest.mark.parametrize("role", [Role.QA_LEAD, Role.EVALUATOR, Role.AGENT, None])
def test_nobody_else_reaches_them(api, users, webhook, role):  # noqa: F811
    client = api(users[role] if role else None)
    expected = 403 if role else 401
    delivery = Delivery.objects.create(webhook=webhook, event="ping", key="k", payload={})
    for method, url in [
        ("get", "/api/v1/webhooks/"),
        ("post", "/api/v1/webhooks/"),
        ("get", f"/api/v1/webhooks/{webhook.pk}/"),
        ("patch", f"/api/v1/webhooks/{webhook.pk}/"),
        ("delete", f"/api/v1/webhooks/{webhook.pk}/"),
        ("post", f"/api/v1/webhooks/{webhook.pk}/ping/"),
        ("post", f"/api/v1/webhooks/{webhook.pk}/secret/"),
        ("get", "/api/v1/webhook-deliveries/"),
        ("get", f"/api/v1/webhook-deliveries/{delivery.pk}/"),
        ("post", f"/api/v1/webhook-deliveries/{delivery.pk}/retry/"),
    ]:
        assert getattr(client, method)(url, {}, format="json").status_code == expected, url
    assert Webhook.objects.get().secret == webhook.secret
    assert Delivery.objects.count() == 1
