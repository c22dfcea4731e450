from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from qalibrate.accounts.models import Role
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory

OGG = b"OggS" + bytes(range(256)) * 40


@pytest.fixture
def contacts(users, team):
    own = users[Role.AGENT].agent_profile
    other_team = TeamFactory(name="Sales")
    other = AgentFactory(full_name="Other Agent", team=other_team)
    return {
        "own_call": ContactFactory(
            agent=own,
            channel="call",
            external_id="OWN-1",
            occurred_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
        ),
        "own_chat": ContactFactory(
            agent=own,
            channel="chat",
            external_id="OWN-2",
            occurred_at=datetime(2026, 3, 20, 10, tzinfo=UTC),
        ),
        "other_call": ContactFactory(
            agent=other,
            team=other_team,
            channel="call",
            external_id="OTHER-1",
            occurred_at=datetime(2026, 3, 10, 10, tzinfo=UTC),
        ),
    }


def listed(client, **params) -> set[str]:
    response = client.get(reverse("contact_list"), params)
    assert response.status_code == 200
    return {c.external_id for c in response.context["page"]}


def test_staff_see_their_teams_contacts_only(client, users, contacts, team):
    client.force_login(users[Role.EVALUATOR])
    assert listed(client) == {"OWN-1", "OWN-2"}
    assert listed(client, agent=contacts["other_call"].agent_id) == {"OWN-1", "OWN-2"}
    other = contacts["other_call"].pk
    assert client.get(reverse("contact_detail", args=[other])).status_code == 404
    client.force_login(users[Role.QA_LEAD])
    assert listed(client) == {"OWN-1", "OWN-2"}


def test_staff_filter_the_list(client, users, contacts, team):
    every_team = UserFactory(role=Role.EVALUATOR, all_teams=True)
    client.force_login(every_team)
    assert listed(client) == {"OWN-1", "OWN-2", "OTHER-1"}
    assert listed(client, channel="call") == {"OWN-1", "OTHER-1"}
    assert listed(client, team=team.pk) == {"OWN-1", "OWN-2"}
    assert listed(client, agent=contacts["other_call"].agent_id) == {"OTHER-1"}
    assert listed(client, date_from="2026-03-05", date_to="2026-03-15") == {"OTHER-1"}
    assert listed(client, q="own-2") == {"OWN-2"}
    assert listed(client, evaluated="yes") == set()
    assert listed(client, evaluated="no") == {"OWN-1", "OWN-2", "OTHER-1"}
    assert listed(client, channel="fax", date_from="not a date") == {"OWN-1", "OWN-2", "OTHER-1"}


def test_pagination(client, users, team):
    ContactFactory.create_batch(60, agent=AgentFactory(team=team))
    client.force_login(users[Role.QA_LEAD])
    first = client.get(reverse("contact_list"), {"channel": "call"})
    page = first.content.decode()
    assert len(first.context["page"]) == 50 and "60 contacts" in page
    assert 'class="topbar"' in page  # the full page, with navigation
    assert first.context["page"].newer is None and "Newer" not in page
    second = client.get(
        reverse("contact_list"), {"channel": "call", "older": first.context["page"].older}
    )
    assert len(second.context["page"]) == 10 and second.context["page"].older is None
    assert "channel=call&amp;newer=" in second.content.decode()  # the filter travels
    back = client.get(
        reverse("contact_list"), {"channel": "call", "newer": second.context["page"].newer}
    )
    assert [c.pk for c in back.context["page"]] == [c.pk for c in first.context["page"]]
    for nonsense in ("999", "x~y", "2026-13-01T00:00:00~1"):
        assert client.get(reverse("contact_list"), {"older": nonsense}).status_code == 200


def test_agent_sees_only_own_contacts(client, users, contacts):
    client.force_login(users[Role.AGENT])
    assert listed(client) == {"OWN-1", "OWN-2"}
    # Another team's agent is no choice of the filter: the filter is ignored, as any invalid one.
    assert listed(client, agent=contacts["other_call"].agent_id) == {"OWN-1", "OWN-2"}
    assert (
        client.get(reverse("contact_detail", args=[contacts["other_call"].pk])).status_code == 404
    )
    assert client.get(reverse("contact_detail", args=[contacts["own_call"].pk])).status_code == 200


def test_detail_shows_transcript_and_player(client, users, contacts):
    contact = contacts["own_call"]
    contact.transcript = [
        {"t": 0, "speaker": "agent", "text": "Good morning, Emma speaking."},
        {"t": 65, "speaker": "customer", "text": "Hi, my bill is wrong."},
    ]
    contact.media.save("call.ogg", ContentFile(OGG))
    client.force_login(users[Role.EVALUATOR])
    page = client.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert "Good morning, Emma speaking." in page
    assert 'data-seek="65"' in page and ">1:05<" in page
    assert reverse("contact_media", args=[contact.pk]) in page
    assert 'value="0.75"' in page and 'value="2"' in page


def test_recording_is_served_with_byte_ranges(client, users, contacts):
    contact = contacts["own_call"]
    contact.media.save("call.ogg", ContentFile(OGG))
    url = reverse("contact_media", args=[contact.pk])
    client.force_login(users[Role.AGENT])
    whole = client.get(url)
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == OGG
    part = client.get(url, headers={"range": "bytes=100-199"})
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(OGG)}"
    assert b"".join(part.streaming_content) == OGG[100:200]
    tail = client.get(url, headers={"range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == OGG[-10:]
    assert client.get(url, headers={"range": f"bytes={len(OGG) + 5}-"}).status_code == 416


def test_another_agents_recording_is_not_served(client, users, contacts):
    contact = contacts["other_call"]
    contact.media.save("call.ogg", ContentFile(OGG))
    client.force_login(users[Role.AGENT])
    assert client.get(reverse("contact_media", args=[contact.pk])).status_code == 404
    client.force_login(UserFactory(role=Role.EVALUATOR))  # of no team
    assert client.get(reverse("contact_media", args=[contact.pk])).status_code == 404
    client.force_login(UserFactory(role=Role.EVALUATOR, all_teams=True))
    assert client.get(reverse("contact_media", args=[contact.pk])).status_code == 200
