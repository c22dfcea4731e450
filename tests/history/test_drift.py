"""Drift: the rule (per team), the marks it leaves on the recorded sessions, the facilitator's
alert (once per evaluator and session, with an e-mail), the rule's settings page, and the
verdict's words."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.history import drift, services
from qalibrate.history.models import DriftRule, EvaluatorRecord
from qalibrate.notifications import services as notifications
from qalibrate.notifications.models import EmailStatus, Kind, Notification
from tests.history.conftest import completed_session


def marks(evaluator) -> list[str]:
    rows = EvaluatorRecord.objects.filter(evaluator=evaluator).order_by("held_on")
    return [row.drift for row in rows]


def four_sessions(users, version, team, second, third) -> list:
    """The `history` fixture's sessions, for a test that sets the team's rule first."""
    lead, evaluators = users[Role.QA_LEAD], [users[Role.EVALUATOR], second, third]
    return [
        completed_session(
            lead, evaluators, version, team, days_ago=days, lenient=second if days < 60 else None
        )
        for days in (60, 45, 30, 15)
    ]


def test_the_lenient_evaluator_drifts_and_the_facilitator_is_told_once_per_session(
    history, users, second_evaluator
):
    lead = users[Role.QA_LEAD]
    assert marks(second_evaluator) == ["", "", "consecutive", "consecutive"]
    assert marks(users[Role.EVALUATOR]) == ["", "", "", ""]
    alerts = list(Notification.objects.filter(kind=Kind.DRIFT).order_by("session__meeting_at"))
    assert [(a.user, a.session) for a in alerts] == [(lead, history[2]), (lead, history[3])]
    assert {a.params["evaluator"] for a in alerts} == {second_evaluator.pk}
    assert all(a.email_status == EmailStatus.PENDING for a in alerts)  # the e-mail is queued
    # Recording a session again tells nobody twice.
    services.session_record_save(session=history[3])
    assert Notification.objects.filter(kind=Kind.DRIFT).count() == 2
    # The e-mails go out with the figures and the way to the evaluator's page.
    notifications.deliver_pending(now=timezone.now())
    drift_mails = [m for m in mail.outbox if "drifts" in m.subject]
    assert len(drift_mails) == 2
    assert drift_mails[0].to == [lead.email]
    assert str(second_evaluator) in drift_mails[0].subject
    body = drift_mails[0].body
    assert "in the last 2 sessions in a row" in body and "15.2" in body
    assert reverse("history_evaluator", args=[second_evaluator.pk]) in body


def test_three_in_a_row_fires_later(users, version, team, second_evaluator, third_evaluator):
    DriftRule.objects.create(team=team, consecutive=3)
    sessions = four_sessions(users, version, team, second_evaluator, third_evaluator)
    assert marks(second_evaluator) == ["", "", "", "consecutive"]
    alerts = Notification.objects.filter(kind=Kind.DRIFT)
    assert [a.session for a in alerts] == [sessions[3]]


def test_a_disabled_rule_marks_and_tells_nobody(
    users, version, team, second_evaluator, third_evaluator
):
    DriftRule.objects.create(team=team, enabled=False)
    four_sessions(users, version, team, second_evaluator, third_evaluator)
    assert marks(second_evaluator) == ["", "", "", ""]
    assert not Notification.objects.filter(kind=Kind.DRIFT).exists()


def test_changing_the_rule_judges_the_recorded_sessions_again(
    client, history, users, team, second_evaluator
):
    lead = users[Role.QA_LEAD]
    services.drift_rule_save(team=team, user=lead, enabled=True, consecutive=3, recent=6)
    assert marks(second_evaluator) == ["", "", "", "consecutive"]
    services.drift_rule_save(team=team, user=lead, enabled=False, consecutive=3, recent=6)
    assert marks(second_evaluator) == ["", "", "", ""]
    client.force_login(lead)
    html = client.get(reverse("history_evaluator", args=[second_evaluator.pk])).content.decode()
    assert "Drift alerts are off for this team" in html
    assert Notification.objects.filter(kind=Kind.DRIFT).count() == 2  # nobody told again
    with pytest.raises(PermissionDenied):
        services.drift_rule_save(
            team=team, user=users[Role.EVALUATOR], enabled=True, consecutive=2, recent=6
        )
    with pytest.raises(ValidationError):
        services.drift_rule_save(team=team, user=lead, enabled=True, consecutive=0, recent=6)


def test_the_drift_rule_page(client, users, team):
    url = reverse("history_drift_rule", args=[team.pk])
    for role in (Role.EVALUATOR, Role.AGENT):
        client.force_login(users[role])
        assert client.get(url).status_code == 403
        assert client.post(url, {"enabled": "on", "consecutive": 1, "recent": 4}).status_code == 403
    assert not DriftRule.objects.exists()
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(users[Role.ADMIN])
    assert client.get(url).status_code == 200
    client.force_login(users[Role.QA_LEAD])
    assert client.get(reverse("history_drift_rule", args=[999_999])).status_code == 404
    refused = client.post(url, {"enabled": "on", "consecutive": 0, "recent": 40})
    assert refused.status_code == 200 and refused.context["form"].errors.keys() == {
        "consecutive",
        "recent",
    }
    assert not DriftRule.objects.exists()
    saved = client.post(url, {"consecutive": 3, "recent": 4})
    assert saved.url == reverse("history_evaluators")
    rule = DriftRule.objects.get(team=team)
    assert (rule.enabled, rule.consecutive, rule.recent) == (False, 3, 4)


# --- the rule itself, on rows made up here ---------------------------------------------------


def rows(*figures, tolerance=5.0):
    """Rows as drift.judge reads them: (bias, mean_abs) per session, SD 3 on 8 contacts."""
    start = date(2026, 1, 1)
    return [
        SimpleNamespace(
            pk=i + 1,
            held_on=start + timedelta(days=14 * i),
            bias=bias,
            mean_abs=mean_abs,
            deviation_sd=3.0,
            contacts=8,
            within_tolerance=mean_abs <= tolerance,
        )
        for i, (bias, mean_abs) in enumerate(figures)
    ]


RULE = SimpleNamespace(enabled=True, consecutive=2, recent=6)


def test_a_lasting_bias_drifts_when_no_two_sessions_in_a_row_are_out():
    found = rows((6.5, 6.8), (4.8, 4.9), (6.9, 7.0), (4.9, 5.0), (6.7, 6.9), (4.9, 5.0))
    verdict = drift.judge(found, rule=RULE, tolerance=5.0)
    assert verdict.kind == "pooled"
    assert verdict.pooled.low > 0 and verdict.pooled.estimate > 5
    assert services.drift_of(found, rule=RULE, tolerance=5.0) == "pooled"
    assert "Pooled over the last 6 sessions (contacts: 48)" in verdict.reason
    assert "(lenient)" in verdict.reason
    # One session out of tolerance is no drift, however far out.
    single = drift.judge(rows((0.5, 2.0), (0.2, 1.5), (20.0, 20.0)), rule=RULE, tolerance=5.0)
    assert single.kind == ""
    assert single.reason.startswith("Not outside the tolerance in 2 sessions in a row.")


def test_consecutive_comes_first_and_only_the_last_sessions_count():
    found = rows((8.0, 8.0), (0.0, 1.0), (-7.0, 7.5), (-9.0, 9.0))
    verdict = drift.judge(found, rule=RULE, tolerance=5.0)
    assert verdict.kind == "consecutive"
    assert [row.pk for row in verdict.outside] == [3, 4]
    assert verdict.reason == (
        "Outside the tolerance of 5.0 points in the last 2 sessions in a row: mean deviation "
        "7.5 on 2026-01-29, 9.0 on 2026-02-12."
    )
    # The pooled figure covers the rule's recent sessions only.
    short = SimpleNamespace(enabled=True, consecutive=3, recent=2)
    narrow = drift.judge(found, rule=short, tolerance=5.0)
    assert narrow.kind == "" and [row.pk for row in narrow.window] == [3, 4]
    assert narrow.pooled.sessions == 2 and narrow.pooled.estimate < 0
