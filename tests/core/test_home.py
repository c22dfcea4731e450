from datetime import UTC, datetime

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from tests.factories import AgentFactory, ContactFactory

LANDING_HEADINGS = {
    Role.ADMIN: "<h1>Administration</h1>",
    Role.QA_LEAD: "<h1>Quality dashboard</h1>",
    Role.EVALUATOR: "<h1>My calibration work</h1>",
    Role.AGENT: "<h1>My results</h1>",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_page(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert LANDING_HEADINGS[role] in response.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_only_admins_see_and_reach_user_management(client, users, role):
    client.force_login(users[role])
    page = client.get(reverse("home")).content.decode()
    admin_index = client.get(reverse("admin:index"))
    users_list = client.get(reverse("admin:accounts_user_changelist"))
    if role == Role.ADMIN:
        assert reverse("admin:index") in page
        assert (admin_index.status_code, users_list.status_code) == (200, 200)
    else:
        assert reverse("admin:index") not in page
        assert admin_index.status_code == users_list.status_code == 302
        assert users_list.url.startswith(reverse("admin:login"))


def test_agent_sees_only_own_contacts(client, users, team):
    own_agent = users[Role.AGENT].agent_profile
    ContactFactory(agent=own_agent, external_id="MINE-001")
    ContactFactory(agent=AgentFactory(team=team), external_id="OTHER-001")
    client.force_login(users[Role.AGENT])
    page = client.get(reverse("home")).content.decode()
    assert "MINE-001" in page
    assert "OTHER-001" not in page


def test_qa_lead_sees_every_team_with_counts(client, users, team):
    agent = AgentFactory(team=team)
    ContactFactory.create_batch(3, agent=agent, channel="chat")
    ContactFactory(agent=agent, channel="call")
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("home"))
    row = next(t for t in response.context["teams"] if t.pk == team.pk)
    assert (row.recent_chats, row.recent_calls, row.recent_contacts) == (3, 1, 4)
    assert row.agent_count == 2  # the fixture's agent with a login and this one


def test_times_are_shown_in_the_users_time_zone(client, users):
    user = users[Role.AGENT]
    user.time_zone = "Asia/Tokyo"
    user.save()
    ContactFactory(agent=user.agent_profile, occurred_at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    client.force_login(user)
    assert "19:30" in client.get(reverse("home")).content.decode()


def test_health_check(client, db):
    assert client.get(reverse("health")).json() == {"status": "ok", "database": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_unknown_page_gets_the_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.django_db
def test_static_files_are_served_without_a_cdn(client):
    page = client.get(reverse("login")).content.decode()
    assert "http://" not in page and "https://" not in page
    assert client.get("/static/qalibrate/css/app.css").status_code == 200
    assert client.get("/static/django_htmx/htmx-2.min.js").status_code == 200
