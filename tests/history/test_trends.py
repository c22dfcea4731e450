"""The trends page (/history/) and its CSV and XLSX: who sees it, which sessions, the filters,
the summary, the files read back, the links to it and a number of queries that does not grow."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qalibrate.accounts.models import Role
from qalibrate.calibration.models import Participant
from qalibrate.history import charts, selectors
from qalibrate.history.models import SessionRecord
from qalibrate.history.templatetags import history_tags
from tests.factories import TeamFactory, build_scorecard
from tests.history.trend_helpers import stored_record

URL = "/history/"


def page(client, user, **query):
    client.force_login(user)
    response = client.get(URL, query)
    assert response.status_code == 200
    return response.content.decode()


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ADMIN, 200), (Role.QA_LEAD, 200), (Role.EVALUATOR, 200), (Role.AGENT, 403)],
)
def test_staff_see_the_trends_and_agents_do_not(client, users, role, status):
    client.force_login(users[role])
    assert client.get(URL).status_code == status
    assert client.get(reverse("history_trends_file", args=["csv"])).status_code == status


def test_anonymous_is_sent_to_log_in(client):
    for url in (URL, reverse("history_trends_file", args=["xlsx"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_completed_sessions_in_time_order_and_never_one_before_completion(
    client, users, history, revealed
):
    html = page(client, users[Role.QA_LEAD])
    assert revealed.title not in html
    assert not SessionRecord.objects.filter(session=revealed).exists()
    positions = [html.index(f'href="/reports/sessions/{s.pk}/"') for s in history]
    assert positions == sorted(positions)  # the fixture's sessions, oldest first
    assert html.count('href="/reports/sessions/') == 4
    assert "<svg" in html and "trends-chart" in html
    # The evaluator scored all four: they see the same rows.
    assert page(client, users[Role.EVALUATOR]).count('href="/reports/sessions/') == 4


def test_an_evaluator_sees_only_the_sessions_they_took_part_in(client, users, version, team):
    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    mine = stored_record(lead, version, team, days_ago(20), title="Taken part")
    stored_record(lead, version, team, days_ago(10), title="Not invited")
    Participant.objects.create(session=mine.session, user=evaluator)
    assert "Not invited" in page(client, lead)
    html = page(client, evaluator)
    assert "Taken part" in html and "Not invited" not in html


def test_the_period_filter(client, users, version, team):
    lead = users[Role.QA_LEAD]
    for days in (400, 200, 100, 20):
        stored_record(lead, version, team, days_ago(days), title=f"Held {days} days ago")

    def shown(**query):
        html = page(client, lead, **query)
        return [days for days in (400, 200, 100, 20) if f"Held {days} days ago" in html]

    assert shown() == [400, 200, 100, 20]
    assert shown(period="3m") == [20]
    assert shown(period="6m") == [100, 20]
    assert shown(period="12m") == [200, 100, 20]
    assert shown(date_from=days_ago(250), date_to=days_ago(50)) == [200, 100]
    assert shown(period="6m", date_to=days_ago(50)) == [100]  # both apply


def test_months_before_keeps_to_the_shorter_month():
    assert selectors.months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert selectors.months_before(date(2024, 1, 15), 12) == date(2023, 1, 15)
    assert selectors.months_before(date(2024, 2, 10), 3) == date(2023, 11, 10)


def test_team_and_scorecard_filters(client, users, version, team):
    lead, admin = users[Role.QA_LEAD], users[Role.ADMIN]  # the admin sees every team
    other_team = TeamFactory(name="Billing")
    chat = build_scorecard(lead, publish=True, name="Chat form").current_version
    stored_record(lead, version, team, days_ago(30), title="Support call")
    stored_record(lead, version, other_team, days_ago(20), title="Billing call")
    stored_record(lead, chat, team, days_ago(10), title="Support chat")
    html = page(client, admin, team=other_team.pk)
    assert "Billing call" in html and "Support call" not in html and "Support chat" not in html
    html = page(client, admin, team=team.pk, scorecard=chat.scorecard_id)
    assert "Support chat" in html and "Support call" not in html
    # Without a filter the chart draws one line per team and scorecard, named.
    html = page(client, lead)
    assert "Billing · Inbound support call" in html and "Customer support · Chat form" in html


def test_invalid_filters_say_so_and_files_refuse_them(client, users, version, team):
    lead = users[Role.QA_LEAD]
    stored_record(lead, version, team, days_ago(10), title="Kept")
    query = {"date_from": days_ago(5), "date_to": days_ago(30)}
    html = page(client, lead, **query)
    assert "The end of the period comes before its start." in html
    assert "Kept" in html  # every session until the filters are valid
    assert reverse("history_trends_file", args=["csv"]) not in html
    response = client.get(reverse("history_trends_file", args=["csv"]), query)
    assert response.status_code == 400
    assert client.get(URL, {"period": "5y"}).status_code == 200
    assert client.get("/history/trends.pdf").status_code == 404


def test_the_summary_is_computed_from_the_rows(client, users, version, team):
    lead = users[Role.QA_LEAD]
    verdicts = [False, False, None, True, True]
    for days, (share, calibrated) in zip(
        (50, 40, 30, 20, 10), zip([0.5, 0.6, 0.7, 0.8, 0.9], verdicts, strict=True), strict=True
    ):
        stored_record(
            lead, version, team, days_ago(days), share_within=share, calibrated=calibrated
        )
    found = selectors.trends(selectors.trend_records(user=lead))
    summary = found.summary
    assert (summary.sessions, summary.judged, summary.calibrated) == (5, 4, 2)
    assert summary.share_calibrated == 0.5
    # First two against last two; the middle one left out.
    assert summary.direction.sessions == 2
    assert summary.direction.first == pytest.approx(0.55)
    assert summary.direction.last == pytest.approx(0.85)
    assert summary.direction.change == 30.0
    html = page(client, lead)
    assert "+30.0 pts" in html and "2 of 4 sessions with a verdict" in html


def test_no_direction_without_two_shares(users, version, team):
    lead = users[Role.QA_LEAD]
    stored_record(lead, version, team, days_ago(10))
    stored_record(lead, version, team, days_ago(5), share_within=None, calibrated=None)
    summary = selectors.trends(selectors.trend_records(user=lead)).summary
    assert summary.direction is None and summary.judged == 1
    assert selectors.trend_summary([]) is None


def test_the_chart_draws_missing_figures_and_a_single_session(users, version, team):
    lead = users[Role.QA_LEAD]
    stored_record(lead, version, team, days_ago(5), alpha=None, alpha_low=None, alpha_high=None)
    rows = selectors.trends(selectors.trend_records(user=lead)).rows
    svg = charts.trends_svg(rows)
    assert svg.startswith("<svg") and "Target: 100%" in svg
    assert charts.trends_svg([]) == ""


FORMULA = '=HYPERLINK("http://evil.example","x")'


def test_csv_reads_back_with_the_same_rows(client, users, history):
    history[0].title = FORMULA
    history[0].save(update_fields=["title"])
    client.force_login(users[Role.QA_LEAD])
    response = client.get(reverse("history_trends_file", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Date", "Session", "Team"]
    records = list(SessionRecord.objects.order_by("held_on"))
    assert len(body) == len(records) == 4
    assert body[0][1] == "'" + FORMULA  # never run as a formula
    for line, record in zip(body, records, strict=True):
        cells = dict(zip(header, line, strict=True))
        assert cells["Date"] == record.held_on.isoformat()
        assert float(cells["Within tolerance"]) == pytest.approx(record.share_within)
        assert cells["Calibrated"] == ("Yes" if record.calibrated else "No")
        assert cells["Evaluators"] == str(record.evaluator_count) == "3"
        assert cells["Contacts"] == str(record.contact_count)
        assert cells["Report"].endswith(f"/reports/sessions/{record.session_id}/")


def test_xlsx_reads_back_with_numbers_as_numbers(client, users, history):
    history[0].title = FORMULA
    history[0].save(update_fields=["title"])
    client.force_login(users[Role.QA_LEAD])
    response = client.get(
        reverse("history_trends_file", args=["xlsx"]), {"team": history[0].team_id}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Trends"]
    header = [cell.value for cell in sheet[1]]
    body = list(sheet.iter_rows(min_row=2))
    records = list(SessionRecord.objects.order_by("held_on"))
    assert len(body) == 4
    first = dict(zip(header, body[0], strict=True))
    # Never run as a formula, and still safe once the sheet is saved again as CSV.
    assert first["Session"].value == "'" + FORMULA and first["Session"].data_type == "s"
    for row, record in zip(body, records, strict=True):
        cells = dict(zip(header, row, strict=True))
        assert cells["Date"].value.date() == record.held_on
        assert cells["Within tolerance"].value == pytest.approx(record.share_within)
        assert cells["Within tolerance"].number_format == "0.0%"
        assert cells["Alpha of the totals"].value == pytest.approx(record.alpha)
        assert cells["Scorecard"].value == record.scorecard.name


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_queries_do_not_grow_with_the_sessions(client, users, version, team):
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    urls = [URL, reverse("history_trends_file", args=["xlsx"]), f"{URL}?period=12m&team={team.pk}"]
    for days in (40, 30):
        stored_record(lead, version, team, days_ago(days))
    client.get(URL)  # warm the session and caches
    two = [_queries(client, url) for url in urls]
    for days in (25, 20, 15, 10):
        stored_record(lead, version, team, days_ago(days))
    six = [_queries(client, url) for url in urls]
    assert two == six


def test_links_to_the_trends(client, users, history):
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' in home
    assert f'href="{URL}?team={history[0].team_id}"' in home
    report = client.get(reverse("session_report", args=[history[-1].pk])).content.decode()
    version = history[-1].version
    assert f'href="{URL}?scorecard={version.scorecard_id}&amp;team={history[-1].team_id}"' in report


@pytest.mark.parametrize("role", list(Role))
def test_history_is_in_the_main_navigation_of_staff_only(client, users, role):
    client.force_login(users[role])
    html = client.get(reverse("home")).content.decode()
    assert (f'<a href="{URL}"' in html) == (role != Role.AGENT)


def test_the_sub_navigation_links_every_history_page_the_user_may_open(client, users):
    html = page(client, users[Role.QA_LEAD])
    assert f'<a href="{URL}" aria-current="page">Trends</a>' in html
    for name, _label, _may in history_tags.PAGES:
        assert f'href="{reverse(name)}"' in html
    evaluator_html = page(client, users[Role.EVALUATOR])
    assert f'href="{reverse("history_rulings")}"' in evaluator_html
    assert f'href="{reverse("history_import")}"' not in evaluator_html
