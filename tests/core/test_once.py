"""Work done once: a completed session's discussion, report data and charts are computed on
first view and kept; a live session's are computed on every view; erasing a person's data
forgets everything kept, so no kept report names them."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors
from qalibrate.calibration import services as calibration
from qalibrate.calibration.models import CalibrationSession
from qalibrate.reports.api import report_data
from qalibrate.reports.selectors import session_report


@pytest.fixture
def computed(monkeypatch):
    """How many times the discussion's statistics were really computed."""
    calls = []
    real = meeting_selectors._discussion

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(meeting_selectors, "_discussion", counted)
    return calls


@pytest.fixture
def completed(users, revealed):
    calibration.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done")
    return CalibrationSession.objects.get(pk=revealed.pk)


def test_a_completed_sessions_report_is_computed_once(completed, computed):
    first = report_data(session_report(completed))
    count = len(computed)
    assert count >= 1
    again = CalibrationSession.objects.get(pk=completed.pk)
    assert report_data(session_report(again)) == first
    assert len(computed) == count


def test_a_live_session_is_computed_on_every_view(revealed, computed):
    session_report(revealed)
    count = len(computed)
    session_report(revealed)
    assert len(computed) == 2 * count


def test_each_language_and_display_is_kept_apart(completed, second_evaluator):
    named = report_data(session_report(completed))
    anonymous = report_data(session_report(completed, anonymous=True))
    assert str(second_evaluator) in json.dumps(named, default=str)
    assert str(second_evaluator) not in json.dumps(anonymous, default=str)
    with translation.override("ru"):
        russian = report_data(session_report(completed, anonymous=True))
    assert "Оценщик" in json.dumps(russian, default=str, ensure_ascii=False)
    assert "Оценщик" not in json.dumps(anonymous, default=str, ensure_ascii=False)


def test_the_report_page_draws_its_charts_once(client, users, completed, monkeypatch):
    from qalibrate.reports import views

    drawn = []
    real = views.report_figures
    monkeypatch.setattr(views, "report_figures", lambda report: drawn.append(1) or real(report))
    client.force_login(users[Role.QA_LEAD])
    url = reverse("session_report", args=[completed.pk])
    pages = [client.get(url).content.decode() for _ in range(2)]
    assert len(drawn) == 1
    assert pages[0].count("<svg") == pages[1].count("<svg") >= 3


def test_erasing_a_person_forgets_every_kept_report(
    users, completed, django_capture_on_commit_callbacks
):
    evaluator = users[Role.EVALUATOR]
    evaluator.first_name, evaluator.last_name = "Secret", "Person"
    evaluator.save()
    kept = CalibrationSession.objects.get(pk=completed.pk)
    assert "Secret Person" in json.dumps(report_data(session_report(kept)), default=str)
    admin = Client()
    admin.force_login(users[Role.ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post(reverse("privacy_user_erase", args=[evaluator.pk]))
    assert answer.status_code == 302
    after = report_data(session_report(CalibrationSession.objects.get(pk=completed.pk)))
    assert "Secret Person" not in json.dumps(after, default=str)
