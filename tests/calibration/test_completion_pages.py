"""The Complete page, the empty actions table and the agent's results page (issue 13, part 9)."""

from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone
from django.utils.formats import date_format

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from tests.factories import ContactFactory


class Cells(HTMLParser):
    """Columns of each table: header cells and the colspan of the empty row."""

    def __init__(self):
        super().__init__()
        self.tables = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"headers": 0, "empty_colspan": None})
        elif tag == "th" and attrs.get("scope") == "col" and self.tables:
            self.tables[-1]["headers"] += 1
        elif tag == "td" and "empty" in (attrs.get("class") or "") and "colspan" in attrs:
            self.tables[-1]["empty_colspan"] = int(attrs["colspan"])


def empty_action_tables(html):
    parser = Cells()
    parser.feed(html)
    return [t for t in parser.tables if t["empty_colspan"] is not None]


def test_the_empty_actions_table_spans_exactly_its_columns(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    # The session's own table (4 columns) and the list of all actions (a 5th: the session).
    for url in (f"/sessions/{revealed.pk}/discussion/", "/sessions/actions/"):
        tables = empty_action_tables(client.get(url).content.decode())
        assert tables, url
        for table in tables:
            assert table["empty_colspan"] == table["headers"], (url, table)


def test_the_agent_reads_the_day_the_team_calibrated_not_the_planned_meeting(
    client, users, revealed, team
):
    lead, agent_user = users[Role.QA_LEAD], users[Role.AGENT]
    revealed.meeting_at = timezone.now() + timedelta(days=9)  # planned; held early
    revealed.save(update_fields=["meeting_at"])
    services.session_complete(session=revealed, user=lead, summary="Done.", share_with_agents=True)
    revealed.refresh_from_db()
    ContactFactory(agent=agent_user.agent_profile)  # the agent has contacts, not in this session
    client.force_login(agent_user)
    html = client.get(f"/sessions/{revealed.pk}/").content.decode()
    completed = date_format(timezone.localtime(revealed.completed_at), "SHORT_DATE_FORMAT")
    planned = date_format(timezone.localtime(revealed.meeting_at), "SHORT_DATE_FORMAT")
    assert completed != planned
    assert f"calibrated on these contacts of yours on {completed}" in html
    assert planned not in html


def test_the_complete_page_puts_each_checkbox_before_its_label(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    html = client.get(f"/sessions/{revealed.pk}/complete/").content.decode()
    for name in ("agreed_becomes_official", "share_with_agents"):
        checkbox = html.index(f'id="id_{name}"')
        label = html.index(f'<label for="id_{name}"')
        row = html.rfind('class="field check-field', 0, checkbox)
        assert row > html.rfind("</div>", 0, checkbox)  # the checkbox is in a check-field row
        assert checkbox < label
        # The help text is tied to the checkbox for screen readers.
        assert f'aria-describedby="id_{name}_helptext"' in html
