"""Notifications from a session's life: who is told what, in their language, once; e-mail through a
real SMTP server on 127.0.0.1 with the invitation (.ics) and the report (.pdf) read back; retries
with back-off when the server is down; nothing more for a cancelled session."""

import io
import subprocess
import sys
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration_services
from qalibrate.calibration.models import FollowUpAction
from qalibrate.notifications import services
from qalibrate.notifications.models import EmailStatus, Kind, Notification
from tests.factories import UserFactory
from tests.helpers import score_as
from tests.smtp import free_port


def kinds_of(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def parts(message):
    """(text body, html body, {attachment file name: bytes}) of a received e-mail."""
    text = html = None
    files = {}
    for part in message.walk():
        name = part.get_filename()
        if name:
            files[name] = part.get_payload(decode=True)
        elif part.get_content_type() == "text/plain" and text is None:
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return text, html, files


def test_planning_invites_every_participant_once(users, session, second_evaluator):
    invited = {users[Role.EVALUATOR], second_evaluator, users[Role.AGENT]}
    for user in invited:
        assert kinds_of(user) == [Kind.INVITATION]
    assert kinds_of(users[Role.ADMIN]) == []
    # The same event again (a retried request, a job run twice) tells nobody anything new.
    assert services.session_event(session=session, kind=Kind.INVITATION) == []
    assert Notification.objects.filter(kind=Kind.INVITATION).count() == 3


def test_invitation_arrives_by_smtp_with_an_ics_in_the_recipients_language(
    users, session, second_evaluator, smtp_inbox
):
    second_evaluator.language = "ru"
    second_evaluator.save()
    Notification.objects.all().delete()
    services.session_event(session=session, kind=Kind.INVITATION)
    assert services.deliver_pending()["sent"] == 3
    by_recipient = {m["To"]: m for m in smtp_inbox.messages}
    russian = by_recipient[second_evaluator.email]
    assert str(make_header(decode_header(russian["Subject"]))) == "Приглашение: March calibration"
    text, html, files = parts(by_recipient[users[Role.EVALUATOR].email])
    assert "March calibration" in text and "March calibration" in html
    assert f"/sessions/{session.pk}/" in html
    event = Calendar.from_ical(files["invitation.ics"]).walk("VEVENT")[0]
    assert str(event["uid"]) == f"session-{session.pk}@127.0.0.1"
    assert event.decoded("dtstart") == session.meeting_at.replace(microsecond=0)
    assert Calendar.from_ical(files["invitation.ics"])["method"] == "REQUEST"
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == 3
    assert services.deliver_pending()["sent"] == 0  # sent once, never again


def test_opening_tells_evaluators_the_contacts_are_ready(users, session, second_evaluator):
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    for evaluator in (users[Role.EVALUATOR], second_evaluator):
        assert Kind.MATERIALS_READY in kinds_of(evaluator)
    assert Kind.MATERIALS_READY not in kinds_of(users[Role.AGENT])  # observers do not score


def test_reminders_go_once_to_those_who_have_not_finished(users, session, second_evaluator):
    lead = users[Role.QA_LEAD]
    calibration_services.session_move(session=session, user=lead, action="open")
    for session_contact in session.session_contacts.all():
        score_as(second_evaluator, session, session_contact.contact)
    score_as(users[Role.EVALUATOR], session, session.session_contacts.first().contact)
    now = session.scoring_deadline - timedelta(hours=30)
    assert services.scoring_reminders_send(now=now) == []  # not yet: more than 24 h before
    now = session.scoring_deadline - timedelta(hours=12)
    made = services.scoring_reminders_send(now=now)
    assert [n.user for n in made] == [users[Role.EVALUATOR]]
    assert "5 of 6" in made[0].body_text
    assert services.scoring_reminders_send(now=now + timedelta(minutes=5)) == []
    assert Notification.objects.filter(kind=Kind.SCORING_REMINDER).count() == 1


def test_smtp_failure_is_retried_with_back_off_then_shown_to_admins(
    users, session, settings, smtp_inbox, client
):
    Notification.objects.exclude(user=users[Role.EVALUATOR]).delete()
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: the connection is refused
    now = timezone.now()
    assert services.deliver_pending(now=now) == {"sent": 0, "retry": 1, "failed": 0, "skipped": 0}
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.PENDING and notification.attempts == 1
    assert notification.next_attempt_at == now + timedelta(minutes=1)
    assert "ConnectionRefusedError" in notification.last_error
    assert services.deliver_pending(now=now + timedelta(seconds=30))["retry"] == 0  # not yet
    services.deliver_pending(now=now + timedelta(minutes=1))
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.next_attempt_at == now + timedelta(minutes=1) + timedelta(minutes=2)

    client.force_login(users[Role.ADMIN])
    page = client.get(reverse("delivery_list")).content.decode()
    assert "ConnectionRefusedError" in page and notification.subject in page
    client.force_login(users[Role.QA_LEAD])
    assert client.get(reverse("delivery_list")).status_code == 403

    # The server is back: the next attempt goes through.
    settings.EMAIL_PORT = working_port
    services.deliver_pending(now=notification.next_attempt_at)
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and len(smtp_inbox.messages) == 1


def test_after_the_last_attempt_an_email_is_failed_and_an_admin_can_retry(
    users, session, settings, smtp_inbox, client
):
    Notification.objects.exclude(user=users[Role.EVALUATOR]).delete()
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()
    moment = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        services.deliver_pending(now=moment)
        moment += timedelta(hours=7)
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.FAILED
    assert services.deliver_pending(now=moment + timedelta(days=1))["retry"] == 0
    settings.EMAIL_PORT = working_port
    client.force_login(users[Role.ADMIN])
    client.post(reverse("delivery_retry", args=[notification.pk]))
    services.deliver_pending()
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and len(smtp_inbox.messages) == 1


def test_a_claim_is_taken_over_at_once_from_a_dead_process_here_and_when_stale_from_elsewhere(
    users, session, smtp_inbox
):
    here = services.worker_name().rpartition(":")[0]
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # gone (and reaped): its pid names no process now
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead, alive, elsewhere = Notification.objects.order_by("pk")
        now = timezone.now()
        for notification, holder in [
            (dead, f"{here}:{finished.pid}"),
            (alive, f"{here}:{running.pid}"),
            (elsewhere, "another-host:1234"),
        ]:
            notification.email_status, notification.claimed_at = EmailStatus.SENDING, now
            notification.claimed_by = holder
            notification.save()
        assert services.deliver_pending(now=now + timedelta(seconds=1))["sent"] == 1
        assert [m["Message-ID"] for m in smtp_inbox.messages] == [services.message_id(dead)]
        almost = now + services.CLAIM_TIMEOUT - timedelta(seconds=1)
        assert services.deliver_pending(now=almost)["sent"] == 0  # being sent, for all we know
        stale = now + services.CLAIM_TIMEOUT + timedelta(seconds=1)
        assert services.deliver_pending(now=stale)["sent"] == 2
    finally:
        running.kill()
        running.wait()
    assert set(Notification.objects.values_list("email_status", "claimed_by")) == {
        (EmailStatus.SENT, "")
    }
    assert sorted(m["Message-ID"] for m in smtp_inbox.messages) == sorted(
        f"<notification-{n.pk}@127.0.0.1>" for n in (dead, alive, elsewhere)
    )


def test_a_cancelled_session_sends_nothing_more_but_the_cancellation(
    users, session, second_evaluator, smtp_inbox
):
    lead = users[Role.QA_LEAD]
    Notification.objects.all().delete()
    calibration_services.session_move(session=session, user=lead, action="open")
    calibration_services.session_move(session=session, user=lead, action="cancel")
    counts = services.deliver_pending()
    assert counts["skipped"] == 2  # "ready to score" for the two evaluators
    assert counts["sent"] == 3  # the cancellation, to everyone invited
    for message in smtp_inbox.messages:
        _text, _html, files = parts(message)
        calendar = Calendar.from_ical(files["invitation.ics"])
        assert calendar["method"] == "CANCEL"
        assert str(calendar.walk("VEVENT")[0]["status"]) == "CANCELLED"
    assert services.scoring_reminders_send(now=session.scoring_deadline - timedelta(hours=1)) == []


@pytest.mark.slow
def test_the_summary_carries_the_report_and_agents_are_told_their_results(
    users, revealed, smtp_inbox
):
    Notification.objects.all().delete()
    calibration_services.session_complete(
        session=revealed,
        user=users[Role.QA_LEAD],
        summary="We agreed on the greeting.",
        share_with_agents=True,
    )
    assert kinds_of(users[Role.EVALUATOR]) == [Kind.SUMMARY]
    assert kinds_of(users[Role.QA_LEAD]) == [Kind.SUMMARY]
    assert kinds_of(users[Role.AGENT]) == []  # the agent's contacts were not in this session
    services.deliver_pending()
    summary = next(m for m in smtp_inbox.messages if m["To"] == users[Role.EVALUATOR].email)
    text, _html, files = parts(summary)
    assert "We agreed on the greeting." in text
    (name,) = files
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(files[name])).pages)
    assert "March calibration" in pdf_text


def test_agents_whose_contacts_were_discussed_are_told(users, session, team):
    lead = users[Role.QA_LEAD]
    own = session.session_contacts.first()
    own.contact.agent = users[Role.AGENT].agent_profile
    own.contact.save()
    calibration_services.session_move(session=session, user=lead, action="open")
    for session_contact in session.session_contacts.all():
        for evaluator in [p.user for p in session.participants.filter(role="evaluator")]:
            score_as(evaluator, session, session_contact.contact)
    calibration_services.session_move(session=session, user=lead, action="reveal")
    calibration_services.session_complete(
        session=session, user=lead, summary="Done.", share_with_agents=True
    )
    assert Kind.RESULTS_SHARED in kinds_of(users[Role.AGENT])
    results = Notification.objects.get(user=users[Role.AGENT], kind=Kind.RESULTS_SHARED)
    assert str(users[Role.EVALUATOR]) not in results.body_text  # never who scored


def test_actions_assigned_and_due_are_told_once(users, revealed):
    owner = users[Role.EVALUATOR]
    Notification.objects.all().delete()
    today = timezone.localdate()
    action = calibration_services.action_add(
        session=revealed,
        user=users[Role.QA_LEAD],
        description="Rewrite the guideline",
        owner=owner,
        due_date=today + timedelta(days=3),
    )
    assert kinds_of(owner) == [Kind.ACTION_ASSIGNED]
    assert services.actions_due_send(today=today) == []
    assert len(services.actions_due_send(today=today + timedelta(days=2))) == 1
    assert services.actions_due_send(today=today + timedelta(days=3)) == []
    calibration_services.action_status_set(action=action, user=owner, status="done")
    FollowUpAction.objects.filter(pk=action.pk).update(due_date=today + timedelta(days=10))
    assert services.actions_due_send(today=today + timedelta(days=10)) == []


def test_optional_emails_can_be_turned_off_but_invitations_cannot(client, users, session):
    evaluator = users[Role.EVALUATOR]
    client.force_login(evaluator)
    page = client.get(reverse("preferences")).content.decode()
    assert 'value="scoring_reminder" checked' in page and 'value="invitation"' not in page
    client.post(reverse("email_choices"), {"kinds": ["materials_ready", "summary"]})
    Notification.objects.all().delete()
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    services.scoring_reminders_send(now=session.scoring_deadline - timedelta(hours=2))
    mine = {n.kind: n.email_status for n in Notification.objects.filter(user=evaluator)}
    assert mine == {Kind.MATERIALS_READY: EmailStatus.PENDING, Kind.SCORING_REMINDER: "off"}
    subscription = services.subscription_for(evaluator)
    assert subscription.wants_email(Kind.INVITATION) and subscription.wants_email(Kind.CANCELLED)


def test_the_bell_counts_unread_and_opening_one_marks_it_read(client, users, session):
    evaluator = users[Role.EVALUATOR]
    client.force_login(evaluator)
    home = client.get("/").content.decode()
    assert 'class="bell-count" aria-hidden="true">1<' in home
    notification = Notification.objects.get(user=evaluator)
    response = client.post(reverse("notification_open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    assert "bell-count" not in client.get("/").content.decode()
    assert "March calibration" in client.get(reverse("notification_list")).content.decode()
    # Somebody else's notification cannot be opened, nor is it listed.
    other = Notification.objects.get(user=users[Role.AGENT])
    assert client.post(reverse("notification_open", args=[other.pk])).status_code == 404


def test_the_calendar_feed_is_secret_revocable_and_holds_only_ones_own(client, users, session):
    evaluator, outsider = users[Role.EVALUATOR], UserFactory(role=Role.EVALUATOR)
    token = services.subscription_for(evaluator).feed_token
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert sorted(str(e["summary"]) for e in events) == [
        "March calibration",
        "Scoring deadline: March calibration",
    ]
    assert next(e for e in events if str(e["summary"]) == "March calibration").decoded(
        "dtstart"
    ) == session.meeting_at.replace(microsecond=0)
    outsider_feed = client.get(
        reverse("calendar_feed", args=[services.subscription_for(outsider).feed_token])
    )
    assert list(Calendar.from_ical(outsider_feed.content).walk("VEVENT")) == []
    client.force_login(evaluator)
    client.post(reverse("feed_token_renew"))
    client.logout()
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=["x" * 80])).status_code == 404


@pytest.mark.parametrize("page", ["notification_list", "delivery_list"])
def test_pages_need_a_login(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_rescheduling_sends_an_update_of_the_same_calendar_event(
    users, session, second_evaluator, smtp_inbox
):
    lead = users[Role.QA_LEAD]
    services.deliver_pending()  # the invitations
    first_invitation = next(m for m in smtp_inbox.messages if m["To"] == second_evaluator.email)
    original = Calendar.from_ical(parts(first_invitation)[2]["invitation.ics"]).walk("VEVENT")[0]
    assert int(original["sequence"]) == 0
    later = session.meeting_at + timedelta(days=7)
    for round_number in (1, 2):
        smtp_inbox.messages.clear()
        calibration_services.session_reschedule(
            session=session,
            user=lead,
            meeting_at=later,
            scoring_deadline=later - timedelta(days=1),
            duration_minutes=90,
            location="Room 2",
        )
        assert services.deliver_pending()["sent"] == 3
        update = next(m for m in smtp_inbox.messages if m["To"] == second_evaluator.email)
        calendar = Calendar.from_ical(parts(update)[2]["invitation.ics"])
        event = calendar.walk("VEVENT")[0]
        assert calendar["method"] == "REQUEST"
        assert str(event["uid"]) == str(original["uid"])
        assert int(event["sequence"]) == round_number
        assert event.decoded("dtstart") == later.replace(microsecond=0)
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=90)
        later += timedelta(days=1)
    # Saving the same time again changes nothing and tells nobody.
    session.refresh_from_db()
    calibration_services.session_reschedule(
        session=session,
        user=lead,
        meeting_at=session.meeting_at,
        scoring_deadline=session.scoring_deadline,
        duration_minutes=90,
        location="Room 2",
    )
    assert session.calendar_sequence == 2
    assert Notification.objects.filter(kind=Kind.RESCHEDULED).count() == 6


def test_rescheduling_is_for_those_who_run_the_session_and_checks_the_times(client, users, session):
    url = reverse("session_reschedule", args=[session.pk])
    later = timezone.localtime(session.meeting_at + timedelta(days=2))
    body = {
        "meeting_at": later.strftime("%Y-%m-%dT%H:%M"),
        "scoring_deadline": (later - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 45,
        "location": "Room 3",
    }
    client.force_login(users[Role.EVALUATOR])
    assert client.post(url, body).status_code == 403
    client.force_login(users[Role.QA_LEAD])
    assert (
        "Move the meeting"
        in client.get(reverse("session_detail", args=[session.pk])).content.decode()
    )
    response = client.post(url, {**body, "scoring_deadline": body["meeting_at"][:10] + "T23:59"})
    session.refresh_from_db()
    assert session.calendar_sequence == 0  # refused: scoring would end after the meeting
    assert response.status_code == 302
    client.post(url, body)
    session.refresh_from_db()
    assert (session.calendar_sequence, session.location, session.duration_minutes) == (
        1,
        "Room 3",
        45,
    )
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="cancel")
    client.post(url, {**body, "location": "Room 4"})
    session.refresh_from_db()
    assert session.location == "Room 3"  # a cancelled session is not moved
