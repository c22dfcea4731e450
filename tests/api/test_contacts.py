"""Contacts through the API: the list's filters, ordering and pages; the recording; and the
bulk create-or-update by external_id, checked item by item and written all or nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile

from qalibrate.accounts.models import Agent, Role
from qalibrate.contacts.models import Contact
from tests.factories import AgentFactory, ContactFactory, TeamFactory

BULK = "/api/v1/contacts/bulk/"


@pytest.fixture
def employee(team):
    return AgentFactory(full_name="Emma Clarke", employee_id="EN001", team=team)


def test_filters_ordering_and_pages(api, users, team, employee):
    lead_user = users[Role.QA_LEAD]
    lead_user.all_teams = True  # the Swedish team's contacts too
    lead_user.save()
    lead = api(lead_user)
    other = AgentFactory(full_name="Karl Nyberg", employee_id="SV001", team=TeamFactory())
    march = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    for i in range(3):
        ContactFactory(
            agent=employee,
            channel="chat",
            occurred_at=march + timedelta(days=i),
            external_id=f"CHAT-{i}",
            subject="Refund",
        )
    ContactFactory(agent=other, channel="call", occurred_at=march, external_id="CALL-1")

    def ids(query):
        response = lead.get(f"/api/v1/contacts/?{query}")
        assert response.status_code == 200, response.json()
        return [c["external_id"] for c in response.json()["results"]]

    assert ids("") == ["CHAT-2", "CHAT-1", "CALL-1", "CHAT-0"]  # newest first, as the page
    assert ids("channel=call") == ["CALL-1"]
    assert ids(f"team={team.pk}") == ["CHAT-2", "CHAT-1", "CHAT-0"]
    assert ids(f"agent={other.pk}") == ["CALL-1"]
    assert ids("q=refund") == ["CHAT-2", "CHAT-1", "CHAT-0"]
    assert ids("date_from=2026-03-03&date_to=2026-03-03") == ["CHAT-1"]
    assert ids("evaluated=no&ordering=external_id") == ["CALL-1", "CHAT-0", "CHAT-1", "CHAT-2"]
    assert ids("channel=") == ids("")  # a blank filter is no filter
    page = lead.get("/api/v1/contacts/?page_size=3&page=2").json()
    assert page["count"] == 4 and len(page["results"]) == 1 and page["previous"]
    assert lead.get("/api/v1/contacts/?page=9").status_code == 404
    too_big = lead.get("/api/v1/contacts/?page_size=500")
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["field"] == "page_size"


@pytest.mark.parametrize(
    "query, field",
    [
        ("channel=fax", "channel"),
        ("team=999999", "team"),
        ("date_from=March", "date_from"),
        ("evaluated=maybe", "evaluated"),
        (f"agent={2**70}", "agent"),
    ],
)
def test_bad_filters_are_400_naming_the_field(lead, query, field):
    response = lead.get(f"/api/v1/contacts/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["detail"].startswith(f"{field}: ")


def test_detail_has_transcript_metadata_and_recording(lead, employee):
    contact = ContactFactory(
        agent=employee,
        transcript=[{"t": 1.5, "speaker": "agent", "text": "Hello"}],
        metadata={"queue": "Billing"},
    )
    contact.media.save("call.ogg", ContentFile(b"OggS" + bytes(range(96))), save=True)
    body = lead.get(f"/api/v1/contacts/{contact.pk}/").json()
    assert body["transcript"] == [{"t": 1.5, "speaker": "agent", "text": "Hello"}]
    assert body["metadata"] == {"queue": "Billing"} and body["has_recording"] is True
    assert body["recording_url"].endswith(f"/api/v1/contacts/{contact.pk}/recording/")
    whole = lead.get(body["recording_url"], HTTP_ACCEPT="audio/ogg")
    assert whole.status_code == 200 and b"".join(whole.streaming_content)[:4] == b"OggS"
    part = lead.get(body["recording_url"], HTTP_RANGE="bytes=0-3")
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"OggS"


# --- bulk create-or-update ------------------------------------------------------------------


def row(external_id, **fields):
    return {
        "external_id": external_id,
        "channel": "call",
        "agent_id": "EN001",
        "occurred_at": "2026-03-02T10:30:00+01:00",
        **fields,
    }


def test_bulk_creates_and_updates_by_external_id(lead, employee):
    existing = ContactFactory(agent=employee, external_id="CRM-1", subject="Old", channel="chat")
    rows = [
        row("CRM-1", subject="New subject", duration="4:35", queue="Billing"),
        row(
            "CRM-2",
            channel="e-mail",
            language="ru-RU",
            transcript=[{"t": 0, "speaker": "agent", "text": "Hi"}],
        ),
        row("CRM-3", agent_id="EN099", agent_name="Nikita Orlov", team="Customer support"),
    ]
    response = lead.post(BULK, rows, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "applied": True,
        "rows": 3,
        "created": 2,
        "updated": 1,
        "new_agents": ["Nikita Orlov (EN099)"],
    }
    existing.refresh_from_db()
    assert (existing.subject, existing.channel, existing.duration_seconds) == (
        "New subject",
        "call",
        275,
    )
    assert existing.metadata == {"queue": "Billing"}
    created = Contact.objects.get(external_id="CRM-2")
    assert created.channel == "email" and created.language == "ru"
    assert created.transcript[0]["text"] == "Hi"
    assert Agent.objects.get(employee_id="EN099").contacts.count() == 1
    # The same request again: nothing new.
    again = lead.post(BULK, rows, format="json").json()
    assert (again["created"], again["updated"]) == (0, 3)
    assert Contact.objects.count() == 3


def test_one_bad_item_writes_nothing_and_every_problem_is_named(lead, employee):
    existing = ContactFactory(agent=employee, external_id="CRM-1", subject="Old")
    rows = [
        row("CRM-1", subject="Changed"),
        row("CRM-2"),
        row("CRM-3", channel="fax", occurred_at="yesterday"),
        row("CRM-2"),
        row("CRM-4", agent_id="UNKNOWN"),
    ]
    response = lead.post(BULK, rows, format="json")
    assert response.status_code == 400
    body = response.json()
    problems = {(e["index"], e["field"]) for e in body["errors"]}
    assert problems == {(2, "channel"), (2, "occurred_at"), (3, "external_id"), (4, "agent_id")}
    assert "4 problems" in body["detail"]
    existing.refresh_from_db()
    assert existing.subject == "Old"
    assert set(Contact.objects.values_list("external_id", flat=True)) == {"CRM-1"}


def test_dry_run_counts_without_writing(lead, employee):
    ContactFactory(agent=employee, external_id="CRM-1")
    response = lead.post(f"{BULK}?dry_run=true", [row("CRM-1"), row("CRM-2")], format="json")
    assert response.json() == {
        "applied": False,
        "rows": 2,
        "created": 1,
        "updated": 1,
        "new_agents": [],
    }
    assert Contact.objects.count() == 1
    bad = lead.post(f"{BULK}?dry_run=true", [row("CRM-9", channel="fax")], format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "channel"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"external_id": "x"}, "JSON list"),
        ([], "no contacts"),
        (["text"], "Required columns are missing"),
        ([row("CRM-1", media_file="call.ogg")], "Recordings cannot be sent"),
    ],
)
def test_bulk_refuses_what_is_not_a_list_of_contacts(lead, employee, body, message):
    response = lead.post(BULK, body, format="json")
    assert response.status_code == 400
    assert message in response.json()["detail"] + " ".join(
        e["message"] for e in response.json()["errors"]
    )
    assert not Contact.objects.exists()


def test_malformed_json_is_a_400(lead):
    response = lead.post(BULK, "[{", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["detail"]
    response = lead.post(BULK, "external_id=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_request_size_is_limited(lead, settings):
    big = [row(f"CRM-{i}", subject="x" * 150) for i in range(60000)]  # over 10 MB
    response = lead.post(BULK, big, format="json")
    assert response.status_code == 413 and "10.0" in response.json()["detail"]
    assert not Contact.objects.exists()
    # Other endpoints keep Django's upload limit (2.5 MB unless set otherwise).
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = lead.post("/api/v1/sessions/", {"title": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert lead.post(BULK, [row("CRM-1", subject="x" * 150)] * 10, format="json").status_code == 400
