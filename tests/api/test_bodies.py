"""Every write operation of the OpenAPI schema refuses a body it cannot use with a JSON 400 and
changes nothing; bodies up to 10 MB for contacts/bulk/; every /api/ address answers JSON."""

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.test import RequestFactory

from qalibrate.accounts.models import Role
from qalibrate.api.urls import server_error
from qalibrate.calibration.models import FollowUpAction
from qalibrate.contacts.import_files import MAX_JSON_BYTES
from qalibrate.evaluations.services import evaluation_start
from qalibrate.notifications.models import Notification
from qalibrate.webhooks.models import Delivery, Webhook
from tests.factories import AgentFactory

WRITE_METHODS = ("post", "put", "patch", "delete")
# Rows that change on every request whatever it does, or that belong to the machinery.
VOLATILE = {"accounts.apitoken", "sessions.session", "api.idempotentrequest"}
DEEP = "[" * 100_000 + "]" * 100_000
ROW = {"external_id": "X-1", "channel": "call", "agent_id": "E-1", "occurred_at": "2026-03-02"}


@pytest.fixture
def targets(users, session):
    """A planned session (so open and cancel would succeed), an action, an unread notification,
    the QA lead's draft evaluation, a webhook and a failed delivery."""
    action = FollowUpAction.objects.create(
        session=session, description="Re-listen", owner=users[Role.QA_LEAD]
    )
    Notification.objects.create(
        user=users[Role.QA_LEAD],
        kind="materials_ready",
        key="bodies",
        subject="Unread",
        body_text="Unread.",
        body_html="<p>Unread.</p>",
    )
    draft = evaluation_start(
        contact=session.session_contacts.first().contact,
        evaluator=users[Role.QA_LEAD],
        version=session.version,
    )
    webhook = Webhook.objects.create(name="BI", url="http://127.0.0.1:9/", events=["ping"])
    delivery = Delivery.objects.create(
        webhook=webhook, event="ping", key="bodies", payload={}, status="failed"
    )
    return {
        "/sessions/": session.pk,
        "/actions/": action.pk,
        "/evaluations/": draft.pk,
        "/webhooks/": webhook.pk,
        "/webhook-deliveries/": delivery.pk,
    }


def _write_operations(client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/schema/?format=json").json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS
    ]
    return schema, operations


def _resolved(schema: dict, node: dict) -> dict:
    while "$ref" in node or "allOf" in node or "oneOf" in node:
        if "$ref" in node:
            node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
        else:
            node = (node.get("allOf") or node["oneOf"])[0]
    return node


def _body_schema(schema: dict, operation: dict) -> dict | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return _resolved(schema, content["schema"]) if content else None


def _address(path: str, targets: dict) -> str:
    for prefix, pk in targets.items():
        path = path.replace(f"/api/v1{prefix}{{id}}/", f"/api/v1{prefix}{pk}/")
    return path


def _wrong(schema: dict, node: dict):
    """A value of another type than the property's."""
    kind = _resolved(schema, node).get("type", "string")
    return {"string": {"not": "text"}, "array": "not a list", "object": "not an object"}.get(
        kind, "not a number"
    )


def _snapshot() -> str:
    models = [m for m in apps.get_models() if m._meta.label_lower not in VOLATILE]
    return "".join(serializers.serialize("json", m._default_manager.order_by("pk")) for m in models)


def _assert_refused(response, status=400, field=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert body["detail"], body
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body


def _bodies(schema: dict, body: dict | None) -> list[tuple[str, str | None]]:
    """(JSON text, the field its error must name) for every bad body of an operation."""
    bad = [('{"title": "x",', None), (DEEP, None), ('{"a": NaN}', None), ("\xff", None)]
    if body is None:  # an action that takes no body: anything but nothing or {} is refused
        return [*bad, ("[1, 2]", None), ("5", None), ('{"force": true}', None)]
    if body.get("type") == "array":
        row = _resolved(schema, body["items"])
        return [
            *bad,
            ('{"external_id": "x"}', None),
            ("5", None),
            *(
                (json.dumps([{**ROW, name: _wrong(schema, node)}]), name)
                for name, node in row["properties"].items()
            ),
        ]
    return [
        *bad,
        ("[1, 2]", None),
        ("5", None),
        *(
            (json.dumps({name: _wrong(schema, node)}), name)
            for name, node in body.get("properties", {}).items()
        ),
    ]


def test_every_write_operation_refuses_bodies_it_cannot_use(api, lead, targets, users):
    """As the QA lead, or as an administrator where only administrators may write."""
    admin = api(users[Role.ADMIN])
    schema, operations = _write_operations(lead)
    assert len(operations) >= 11
    before = _snapshot()
    tried = 0
    for path, method, operation in operations:
        address = _address(path, targets)
        assert "{" not in address, f"no object for {path}"
        for text, field in _bodies(schema, _body_schema(schema, operation)):
            client = admin if path.startswith("/api/v1/webhook") else lead
            response = getattr(client, method)(
                address,
                data=text.encode("utf-8", "surrogateescape"),
                content_type="application/json",
            )
            _assert_refused(response, field=field)
            tried += 1
    assert _snapshot() == before, "a refused request changed something"
    assert tried > 60
    # The same requests, well formed, do change things: the snapshot can see a change.
    assert lead.post(f"/api/v1/sessions/{targets['/sessions/']}/open/").status_code == 200
    assert _snapshot() != before


def test_a_too_deep_body_is_refused_by_name(lead, targets):
    response = lead.post("/api/v1/sessions/", DEEP, content_type="application/json")
    _assert_refused(response)
    assert "nested more than 32 levels" in response.json()["detail"]
    shallow = {"title": [[[[[[[[["x"]]]]]]]]]}
    _assert_refused(lead.post("/api/v1/sessions/", shallow, format="json"), field="title")


@pytest.mark.parametrize("body", [b"", b"{}"])
def test_an_action_without_a_body_takes_nothing_or_an_empty_object(lead, targets, body):
    url = f"/api/v1/sessions/{targets['/sessions/']}/open/"
    response = lead.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "scoring"


def test_a_body_without_a_content_type_or_length_is_refused(lead, targets):
    url = f"/api/v1/sessions/{targets['/sessions/']}/open/"
    before = _snapshot()
    _assert_refused(lead.generic("POST", url, b"{broken", content_type=""), status=415)
    chunked = lead.post(
        url, b"{broken", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
    )
    _assert_refused(chunked, status=411)
    assert _snapshot() == before


# --- sizes -----------------------------------------------------------------------------------


def _rows_of_size(size: int, team) -> bytes:
    agent = AgentFactory(team=team, employee_id="E-1")
    row = {
        "external_id": "",
        "channel": "call",
        "agent_id": agent.employee_id,
        "occurred_at": "2026-03-02T10:30:00+01:00",
        "transcript": "Hello. " * 700,
    }
    one = len(json.dumps(row)) + 10
    rows = [{**row, "external_id": f"X-{i:06d}"} for i in range(size // one)]
    body = json.dumps(rows).encode()
    return body + b" " * (size - len(body))  # padded to the byte


def test_bulk_takes_a_body_just_under_10_mb(lead, team):
    body = _rows_of_size(MAX_JSON_BYTES - 100, team)
    response = lead.post(
        "/api/v1/contacts/bulk/?dry_run=true", body, content_type="application/json"
    )
    assert response["Content-Type"] == "application/json"
    assert response.status_code == 200, response.content[:500]
    assert response.json()["rows"] > 1000


def test_bulk_refuses_a_body_over_10_mb_in_json(lead, team):
    body = _rows_of_size(MAX_JSON_BYTES + 100, team)
    response = lead.post("/api/v1/contacts/bulk/", body, content_type="application/json")
    _assert_refused(response, status=413)
    assert "10.0\xa0MB" in response.json()["detail"]


def test_other_endpoints_keep_the_smaller_limit(lead, targets):
    body = b'{"title": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = lead.post("/api/v1/sessions/", body, content_type="application/json")
    _assert_refused(response, status=413)
    assert "2.5\xa0MB" in response.json()["detail"]


def test_a_list_or_object_where_bulk_wants_text_is_refused(lead, team):
    body = [
        {
            "external_id": ["X-1"],
            "channel": "call",
            "agent_id": "E-9",
            "occurred_at": "2026-03-02T10:30:00+01:00",
            "transcript": [{"text": "Hi"}],
        }
    ]
    response = lead.post("/api/v1/contacts/bulk/?dry_run=true", body, format="json")
    _assert_refused(response, field="external_id")
    assert [e["field"] for e in response.json()["errors"]] == ["external_id"]


# --- JSON everywhere under /api/ ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/nothing-here/", 404),
        ("post", "/api/v1/nothing-here/", 404),
        ("get", "/api/v1/sessions/abc/", 404),
        ("get", "/api/nothing/", 404),
        ("delete", "/api/v1/sessions/", 405),
        ("put", "/api/v1/actions/1/", 405),
        ("post", "/api/v1/me/", 405),
        ("post", "/api/schema/", 405),
        ("post", "/api/docs/", 405),
        ("delete", "/api/docs/redoc/", 405),
    ],
)
def test_every_api_address_answers_json(lead, method, path, status):
    response = lead.generic(method.upper(), path, b"{broken", content_type="application/json")
    _assert_refused(response, status=status)


def test_too_many_requests_for_the_docs_is_json_too(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "1200/minute", "anon": "1/minute"},
    }
    assert client.get("/api/docs/").status_code == 200
    response = client.get("/api/docs/")
    _assert_refused(response, status=429)
    assert 0 < int(response["Retry-After"]) <= 60


def test_what_django_refuses_itself_is_json_under_api(lead, settings):
    response = lead.get("/api/v1/me/", HTTP_HOST="evil.example")  # DisallowedHost
    _assert_refused(response, status=400)
    assert "html" in lead.get("/", HTTP_HOST="evil.example")["Content-Type"]
    failure = server_error(RequestFactory().get("/api/v1/me/"))
    assert failure.status_code == 500 and json.loads(failure.content)["detail"]
