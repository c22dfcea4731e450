"""Ticks in the contact list survive paging and filters: they are kept in the user's session."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.contacts import selection
from qalibrate.contacts.views import PAGE_SIZE
from tests.factories import AgentFactory, ContactFactory, TeamFactory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/contacts/?page=2"}


@pytest.fixture
def many(team):
    """A page and a half of the team's contacts, newest first as the list shows them."""
    agents = [AgentFactory(team=team) for _ in range(3)]
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    contacts = [
        ContactFactory(agent=agents[i % 3], occurred_at=start + timedelta(hours=i))
        for i in range(PAGE_SIZE + 20)
    ]
    return contacts[::-1]


def test_a_page_state_replaces_only_that_page():
    session = {}
    assert selection.selection_update(session, shown=[1, 2, 3], ticked=[3, 1]) == [3, 1]
    assert selection.selection_update(session, shown=[4, 5], ticked=[5, 9]) == [3, 1, 5]
    # Unticking 3 on the first page keeps the second page's tick; sending it again is harmless.
    assert selection.selection_update(session, shown=[1, 2, 3], ticked=[1]) == [1, 5]
    assert selection.selection_update(session, shown=[1, 2, 3], ticked=[1]) == [1, 5]
    selection.selection_clear(session)
    assert selection.selection_ids(session) == []


def tick(client, shown, ticked, **extra):
    data = {"shown": ",".join(str(c.pk) for c in shown), "contacts": [c.pk for c in ticked]}
    return client.post(reverse("contact_selection"), {**data, **extra}, **HTMX)


def test_ticks_survive_paging_and_filters(client, users, many, team):
    client.force_login(users[Role.QA_LEAD])
    first = client.get(reverse("contact_list"))
    page_one = list(first.context["page"])
    assert 'hx-post="/contacts/selection/"' in first.content.decode()
    bar = tick(client, page_one, page_one[:3]).content.decode()
    assert "3 contacts ticked" in bar and "Plan a session with these 3 contacts" in bar
    assert 'id="selection-status" hx-swap-oob="innerHTML"' in bar  # announced to screen readers

    second = client.get(reverse("contact_list"), {"older": first.context["page"].older})
    page_two = list(second.context["page"])
    bar = tick(client, page_two, page_two[:3]).content.decode()
    assert "6 contacts ticked" in bar and "· Customer support" in bar
    # The first page's ticks travel with the plan form as hidden fields of the pick form.
    for contact in page_one[:3]:
        assert f'<input type="hidden" name="contacts" value="{contact.pk}" form="pick-form">' in bar
    assert f'name="contacts" value="{page_two[0].pk}" form="pick-form">' not in bar

    # Back on the first page (filtered by team, too) its ticks are still ticked.
    html = client.get(reverse("contact_list"), {"team": team.pk}).content.decode()
    checked = set(map(int, re.findall(r'value="(\d+)" form="pick-form" checked', html)))
    assert checked == {c.pk for c in page_one[:3]}
    assert "6 contacts ticked" in html
    assert f'<input type="hidden" name="team" value="{team.pk}">' in html

    # The plan form gets all six, from both pages, and the team from them.
    picked = [c.pk for c in page_two[:3]] + [c.pk for c in page_one[:3]]
    plan = client.get(reverse("session_plan"), {"contacts": picked})
    assert "6 contacts picked from the list · Customer support" in plan.content.decode()
    assert plan.context["form"].initial["team"] == team


def test_clearing_the_ticks(client, users, many):
    client.force_login(users[Role.QA_LEAD])
    page_one = many[:PAGE_SIZE]
    tick(client, page_one, page_one[:2])
    response = client.post(reverse("contact_selection_clear"), {"next": "/contacts/?page=2"})
    assert response.url == "/contacts/?page=2"
    assert selection.SESSION_KEY not in client.session
    html = client.get(reverse("contact_list")).content.decode()
    assert "0 contacts ticked" in html and "Clear the ticks" not in html
    # Only back to the contact list, never elsewhere.
    for unsafe in ("https://evil.example/contacts/", "/sessions/", ""):
        response = client.post(reverse("contact_selection_clear"), {"next": unsafe})
        assert response.url == reverse("contact_list")


def test_without_htmx_the_page_state_is_saved_and_the_list_shown_again(client, users, many):
    client.force_login(users[Role.QA_LEAD])
    page_one = many[:PAGE_SIZE]
    response = tick(client, page_one, page_one[:1], next="/contacts/?channel=call")
    assert response.status_code == 200  # htmx: the bar
    response = client.post(
        reverse("contact_selection"),
        {"shown": str(page_one[1].pk), "contacts": [page_one[1].pk], "next": "/contacts/?q=x"},
    )
    assert response.url == "/contacts/?q=x"
    assert selection.selection_ids(client.session) == [page_one[0].pk, page_one[1].pk]


def test_only_contacts_on_the_page_can_be_ticked(client, users, many):
    client.force_login(users[Role.QA_LEAD])
    tick(client, many[:2], [many[0], many[5]])
    assert selection.selection_ids(client.session) == [many[0].pk]


def test_who_may_tick(client, users, many):
    for role in (Role.EVALUATOR, Role.AGENT):
        client.force_login(users[role])
        assert tick(client, many[:2], many[:1]).status_code == 403
        assert client.post(reverse("contact_selection_clear")).status_code == 403
        html = client.get(reverse("contact_list")).content.decode()
        assert "selection-bar" not in html and "hx-post" not in html
    client.logout()
    assert tick(client, many[:2], many[:1]).status_code == 302


def test_the_selection_shows_only_what_the_user_may_see(client, users, many):
    """Ids kept in a session are read back through visible_to: a contact gone or out of reach
    is not shown."""
    lead = users[Role.QA_LEAD]
    lead.all_teams = True
    lead.save()
    client.force_login(lead)
    other = ContactFactory(agent=AgentFactory(team=TeamFactory(name="Sales")))
    tick(client, [many[0], other], [many[0], other])
    html = client.get(reverse("contact_list")).content.decode()
    assert "2 contacts ticked" in html and "from 2 teams" in html
    lead.all_teams = False  # out of reach now: another team's
    lead.save()
    assert "1 contact ticked" in client.get(reverse("contact_list")).content.decode()
    lead.all_teams = True
    lead.save()
    other.delete()
    assert "1 contact ticked" in client.get(reverse("contact_list")).content.decode()


def test_adding_to_a_planned_session_keeps_its_own_button(client, users, session, many):
    client.force_login(users[Role.QA_LEAD])
    html = client.get(reverse("contact_list"), {"add_to": session.pk}).content.decode()
    assert f'"add_to": "{session.pk}"' in html
    assert "Add the ticked contacts to “March calibration”" in html
    bar = tick(client, many[:2], many[:1], add_to=session.pk).content.decode()
    assert "Add the ticked contacts to “March calibration”" in bar
    assert "“March calibration” has 6 contacts; a session holds 5 to 10." in bar
