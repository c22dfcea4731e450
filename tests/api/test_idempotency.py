"""Idempotency-Key: a retried write gets the first answer and does nothing again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.api import idempotency
from qalibrate.api.idempotency import fingerprint
from qalibrate.api.models import IdempotentRequest
from qalibrate.calibration.models import CalibrationSession
from qalibrate.contacts.models import Contact


def test_a_retry_gets_the_first_answer_and_creates_nothing(lead, plan):
    first = lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="plan-1")
    assert first.status_code == 201
    # The same body spaced and ordered differently is the same request.
    again = lead.post(
        "/api/v1/sessions/",
        dict(reversed(plan.items())),
        format="json",
        HTTP_IDEMPOTENCY_KEY="plan-1",
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert CalibrationSession.objects.count() == 1
    # Without the key, or with another, it is a new request.
    assert lead.post("/api/v1/sessions/", plan, format="json").status_code == 201
    assert CalibrationSession.objects.count() == 2


def test_the_same_key_with_another_request_is_refused(lead, plan):
    lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = lead.post(
        "/api/v1/sessions/", {**plan, "title": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    elsewhere = lead.post("/api/v1/notifications/read/", HTTP_IDEMPOTENCY_KEY="k")
    assert elsewhere.status_code == 422
    assert CalibrationSession.objects.count() == 1


def test_an_error_answer_is_kept_too_and_keys_are_per_user(lead, api, users, plan):
    bad = {**plan, "title": ""}
    first = lead.post("/api/v1/sessions/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 400
    again = lead.post("/api/v1/sessions/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (again.status_code, again.json()) == (400, first.json())
    admin = api(users[Role.ADMIN])
    assert (
        admin.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code
        == 201
    )


def test_a_request_still_running_holds_its_key(lead, users, plan):
    """The first request with the key has claimed it and not answered yet."""
    running = fingerprint(method="POST", path="/api/v1/sessions/", data=plan)
    IdempotentRequest.objects.create(user=users[Role.QA_LEAD], key="busy", fingerprint=running)
    response = lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert response.status_code == 409
    assert "has not finished" in response.json()["detail"]
    assert not CalibrationSession.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_dying_request_leaves_neither_change_nor_key(lead, plan, monkeypatch):
    """The write and its key commit together: a process that fails after the write, before the
    answer is kept, leaves nothing, so the client's retry with the same key runs it anew."""

    def dies(**_kwargs):
        raise RuntimeError("the node died here")

    monkeypatch.setattr(idempotency, "answer_store", dies)
    with pytest.raises(RuntimeError):
        lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="crash")
    assert not CalibrationSession.objects.exists()
    assert not IdempotentRequest.objects.exists()
    monkeypatch.undo()
    retried = lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="crash")
    assert retried.status_code == 201
    assert CalibrationSession.objects.count() == 1


def test_keys_expire_after_24_hours(lead, plan):
    lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    response = lead.post("/api/v1/sessions/", plan, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert CalibrationSession.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1  # the expired one removed


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "é"])
def test_a_malformed_key_is_refused(lead, plan, key):
    response = lead.post(
        "/api/v1/sessions/",
        plan,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1"),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not CalibrationSession.objects.exists()


def test_bulk_retried_writes_once(lead, users):
    rows = [
        {
            "external_id": "I-1",
            "channel": "call",
            "agent_id": "E-7",
            "agent_name": "Ann",
            "team": "Customer support",
            "occurred_at": "2026-03-02T10:00:00+01:00",
        }
    ]
    first = lead.post("/api/v1/contacts/bulk/", rows, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert first.json()["created"] == 1
    Contact.objects.all().delete()  # a retry must not write it again
    again = lead.post("/api/v1/contacts/bulk/", rows, format="json", HTTP_IDEMPOTENCY_KEY="b")
    assert again.json() == first.json()
    assert not Contact.objects.exists()


def test_every_write_operation_documents_the_header(lead):
    schema = lead.get("/api/schema/?format=json").json()
    writes = [
        operation
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert writes
    for operation in writes:
        names = [(p["in"], p["name"]) for p in operation.get("parameters", [])]
        assert ("header", "Idempotency-Key") in names, operation["operationId"]
        assert {"409", "422"} <= set(operation["responses"]), operation["operationId"]
