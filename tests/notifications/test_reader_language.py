"""A notification stores its kind and parameters and is written when read: on the list page and
in the API in the request's language and the reader's time zone, by e-mail in the recipient's
language and time zone of the moment it goes. Rows whose parameters cannot be read (older rows,
a deleted action) show the words stored when they were made, never an error."""

import importlib
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from qalibrate.accounts.models import Role
from qalibrate.api import tokens
from qalibrate.calibration import services as calibration_services
from qalibrate.calibration.models import CalibrationSession, FollowUpAction
from qalibrate.notifications import services
from qalibrate.notifications.models import EmailStatus, Kind, Notification
from tests.notifications.test_notifications import parts

MEETING = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
fill_params = importlib.import_module("qalibrate.notifications.migrations.0003_params").fill_params


def swedish_invitation(evaluator, session):
    """The evaluator uses Swedish when invited: the words stored then are Swedish."""
    evaluator.language = "sv"
    evaluator.save()
    Notification.objects.filter(user=evaluator).delete()
    with translation.override("sv"):
        services.session_event(session=session, kind=Kind.INVITATION)
    return Notification.objects.get(user=evaluator)


def page_in(client, language: str, url: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def api_for(user, language: str) -> list[dict]:
    client = APIClient()
    _token, key = tokens.token_create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()["results"]


def test_made_in_swedish_it_reads_in_english_in_the_english_interface(client, users, session):
    evaluator = users[Role.EVALUATOR]
    notification = swedish_invitation(evaluator, session)
    assert notification.subject == "Inbjudan: March calibration"  # the stored words
    assert notification.params["session"] == session.pk
    client.force_login(evaluator)
    english = page_in(client, "en", reverse("notification_list"))
    assert "Invitation: March calibration" in english and "Inbjudan" not in english
    assert "Scoring deadline:" in english and "Meeting:" in english
    assert "Inbjudan: March calibration" in page_in(client, "sv", reverse("notification_list"))
    (shown,) = api_for(evaluator, "en")
    assert shown["subject"] == "Invitation: March calibration"
    assert shown["body"].startswith("You are invited to the calibration session “March calib")
    assert api_for(evaluator, "sv")[0]["subject"] == "Inbjudan: March calibration"


def test_mailed_in_the_recipients_language_when_it_goes(users, session, smtp_inbox):
    evaluator = users[Role.EVALUATOR]
    swedish_invitation(evaluator, session)
    Notification.objects.exclude(user=evaluator).delete()
    evaluator.language = "ru"  # switched before the outbox sent it
    evaluator.save()
    with translation.override("en"):  # whatever the worker's own language is
        assert services.deliver_pending()["sent"] == 1
    (message,) = smtp_inbox.messages
    text, html, files = parts(message)
    assert "Приглашение: March calibration" in html
    assert "Здравствуйте" in text and "Срок оценки" in text
    assert "Inbjudan" not in text + html and "invitation.ics" in files


def test_dates_follow_the_readers_time_zone(client, users, session, smtp_inbox):
    evaluator = users[Role.EVALUATOR]
    CalibrationSession.objects.filter(pk=session.pk).update(
        meeting_at=MEETING, scoring_deadline=MEETING - timedelta(days=1)
    )
    session.refresh_from_db()
    evaluator.time_zone = "Asia/Tokyo"
    evaluator.save()
    Notification.objects.all().delete()
    services.session_event(session=session, kind=Kind.INVITATION)
    notification = Notification.objects.get(user=evaluator)
    assert "10 Dec 2026, 18:00 (JST)" in notification.body_text  # as made, in Tokyo
    evaluator.time_zone = "America/New_York"
    evaluator.save()
    client.force_login(evaluator)
    shown = page_in(client, "en", reverse("notification_list"))
    assert "Meeting: 10 Dec 2026, 04:00 (EST)" in shown and "JST" not in shown
    Notification.objects.exclude(pk=notification.pk).delete()
    services.deliver_pending()
    text, _html, _files = parts(smtp_inbox.messages[0])
    assert "Meeting: 10 Dec 2026, 04:00 (EST)" in text


def test_a_deleted_action_still_reads_in_the_readers_language(client, users, revealed):
    owner = users[Role.EVALUATOR]
    owner.language = "sv"
    owner.save()
    Notification.objects.all().delete()
    with translation.override("sv"):
        action = calibration_services.action_add(
            session=revealed,
            user=users[Role.QA_LEAD],
            description="Rewrite the guideline",
            owner=owner,
            due_date=timezone.localdate() + timedelta(days=3),
        )
    FollowUpAction.objects.filter(pk=action.pk).delete()
    client.force_login(owner)
    shown = page_in(client, "en", reverse("notification_list"))
    assert "Follow-up action for you: Rewrite the guideline" in shown
    assert "Due:" in shown


def test_rows_that_cannot_be_written_again_show_their_stored_words(
    client, users, session, smtp_inbox
):
    evaluator = users[Role.EVALUATOR]
    old = Notification.objects.get(user=evaluator)
    Notification.objects.filter(pk=old.pk).update(
        params={}, subject="Inbjudan: March calibration", body_text="Hej!", body_html="<p>Hej!</p>"
    )
    broken = Notification.objects.create(
        user=evaluator,
        kind=Kind.SCORING_REMINDER,
        key="broken",
        params={"session": 1},
        subject="Påminnelse: bedöm March calibration",
        body_text="Påminnelse",
        body_html="<p>P</p>",
        url="/sessions/",
        email_status=EmailStatus.SENT,
    )
    client.force_login(evaluator)
    shown = page_in(client, "en", reverse("notification_list"))
    assert "Inbjudan: March calibration" in shown and "Påminnelse: bedöm" in shown
    by_key = {n["id"]: n for n in api_for(evaluator, "en")}
    assert by_key[broken.pk]["body"] == "Påminnelse" and by_key[old.pk]["body"] == "Hej!"
    Notification.objects.exclude(user=evaluator).delete()
    assert services.deliver_pending()["sent"] == 1
    text, html, _files = parts(smtp_inbox.messages[0])
    assert text.strip() == "Hej!" and "<p>Hej!</p>" in html


def test_the_list_writes_every_row_without_a_query_per_row(
    client, users, session, django_assert_max_num_queries
):
    evaluator = users[Role.EVALUATOR]
    client.force_login(evaluator)
    client.get(reverse("notification_list"))
    for kind in (Kind.MATERIALS_READY, Kind.RESULTS_REVEALED, Kind.CANCELLED, Kind.SUMMARY):
        services.session_event(session=session, kind=kind)
    with django_assert_max_num_queries(8):
        assert "Cancelled: March calibration" in page_in(client, "en", reverse("notification_list"))


def test_the_migration_fills_parameters_of_older_rows(users, revealed, client):
    """Older rows had only their words; the migration reads their session or action and, for a
    reminder, the counts from its text in whichever language it was written."""
    evaluator = users[Role.EVALUATOR]
    evaluator.language = "sv"
    evaluator.save()
    Notification.objects.all().delete()
    with translation.override("sv"):
        gone = calibration_services.action_add(
            session=revealed,
            user=users[Role.QA_LEAD],
            description="Gone",
            owner=evaluator,
        )
        kept = calibration_services.action_add(
            session=revealed,
            user=users[Role.QA_LEAD],
            description="Kept",
            owner=evaluator,
            due_date=timezone.localdate(),
        )
        services.actions_due_send(today=timezone.localdate())
        services.session_event(session=revealed, kind=Kind.RESULTS_REVEALED)
        Notification.objects.create(
            user=evaluator,
            kind=Kind.SCORING_REMINDER,
            key="old-reminder",
            session=revealed,
            subject="Påminnelse: bedöm March calibration",
            body_text="Hej!\n\nDu har fortfarande 2 av 6 kontakter att skicka in.\n",
        )
    FollowUpAction.objects.filter(pk=gone.pk).delete()
    before = {n.key: n.params for n in Notification.objects.all()}
    Notification.objects.update(params={})

    fill_params(apps, None)

    after = {n.key: n.params for n in Notification.objects.all()}
    assert after[f"action:{gone.pk}:assigned"] == {}  # gone: the stored words stay
    for key in (
        f"action:{kept.pk}:assigned",
        f"action:{kept.pk}:due:{kept.due_date}",
        f"session:{revealed.pk}:results_revealed",
    ):
        assert after[key] == before[key]
    assert after["old-reminder"]["left"] == 2 and after["old-reminder"]["total"] == 6
    client.force_login(evaluator)
    shown = page_in(client, "en", reverse("notification_list"))
    assert "Reminder: score March calibration" in shown and "Due: Kept" in shown
    assert "Scores revealed: March calibration" in shown
    assert "Åtgärd för dig: Gone" in shown
