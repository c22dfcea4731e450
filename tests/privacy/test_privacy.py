"""Personal data: recordings and transcripts kept only as long as the team says, a person erased
while their figures stay, and everything about a person exported; administrators only, and all
of it in the audit trail."""

import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Agent, ApiToken, Role, User
from qalibrate.api import tokens
from qalibrate.audit.models import AuditAction, AuditEvent
from qalibrate.calibration import services as calibration
from qalibrate.contacts.models import Contact
from qalibrate.contacts.retention import retention_apply
from qalibrate.reports.api import report_data
from qalibrate.reports.selectors import session_report
from tests.factories import AgentFactory, ContactFactory, TeamFactory, UserFactory

TRANSCRIPT = [{"speaker": "customer", "text": "My card number is 4111"}]


def contact_with_media(team, *, days_ago: int) -> Contact:
    contact = ContactFactory(
        agent=AgentFactory(team=team),
        occurred_at=timezone.now() - timedelta(days=days_ago),
        transcript=TRANSCRIPT,
    )
    contact.media.save("call.mp3", ContentFile(b"ID3 fake audio"), save=True)
    return contact


def test_retention_clears_old_recordings_and_transcripts_only(db, users, team):
    team.recording_retention_days = 30
    team.save()
    kept_forever = TeamFactory(name="Sales")
    old = contact_with_media(team, days_ago=31)
    young = contact_with_media(team, days_ago=29)
    other = contact_with_media(kept_forever, days_ago=400)
    old_file = old.media.name
    assert default_storage.exists(old_file)

    assert retention_apply() == 1
    old.refresh_from_db()
    assert (old.media.name, old.transcript) == ("", [])
    assert not default_storage.exists(old_file)
    for untouched in (young, other):
        untouched.refresh_from_db()
        assert untouched.media.name and untouched.transcript == TRANSCRIPT
    entry = AuditEvent.objects.get(action=AuditAction.RETENTION_APPLIED)
    assert (entry.team, entry.details) == (team, {"contacts": 1, "days": 30})
    assert retention_apply() == 0  # nothing left to clear, nothing recorded
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_APPLIED).count() == 1


def test_retention_keeps_the_session_figures(db, users, revealed, team, capsys):
    calibration.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done")
    before = report_data(session_report(revealed))
    team.recording_retention_days = 0
    team.save()
    Contact.objects.filter(team=team).update(
        transcript=TRANSCRIPT, occurred_at=timezone.now() - timedelta(days=1)
    )
    call_command("retention")
    assert "6 contacts" in capsys.readouterr().out
    assert not Contact.objects.filter(team=team).exclude(transcript=[]).exists()
    assert report_data(session_report(revealed)) == before


ROLES = ["admin", "qa_lead", "evaluator", "agent", "anonymous"]


def client_of(users, role) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(users[Role(role)])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_erase_or_export(users, team, role):
    person = UserFactory(username="leaving", role=Role.EVALUATOR, email="l@example.com")
    agent = AgentFactory(team=team, full_name="Leaving Agent", employee_id="E-9")
    client = client_of(users, role)
    answers = [
        client.get(reverse("privacy_user_export", args=[person.pk])),
        client.get(reverse("privacy_agent_export", args=[agent.pk])),
        client.post(reverse("privacy_user_erase", args=[person.pk])),
        client.post(reverse("privacy_agent_erase", args=[agent.pk])),
    ]
    person.refresh_from_db()
    agent.refresh_from_db()
    if role == "admin":
        assert [a.status_code for a in answers] == [200, 200, 302, 302]
        assert person.username == f"erased-{person.pk}" and agent.employee_id is None
    else:
        expected = 302 if role == "anonymous" else 403
        assert {a.status_code for a in answers} == {expected}
        assert person.username == "leaving" and agent.full_name == "Leaving Agent"
    page = client.get(reverse("people_list")).content.decode()
    assert ("/privacy/" in page) == (role == "admin")


def test_nobody_erases_themselves(users):
    admin = users[Role.ADMIN]
    answer = client_of(users, "admin").post(reverse("privacy_user_erase", args=[admin.pk]))
    assert answer.status_code == 403
    admin.refresh_from_db()
    assert admin.username == "admin"


def test_erasing_an_evaluator_keeps_the_figures_and_removes_the_name(users, revealed):
    calibration.session_complete(session=revealed, user=users[Role.QA_LEAD], summary="Done")
    evaluator = users[Role.EVALUATOR]
    evaluator.first_name, evaluator.last_name = "Secret", "Person"
    evaluator.email = "secret.person@example.com"
    evaluator.save()
    before = report_data(session_report(revealed))
    browser = Client()
    browser.force_login(evaluator)
    _token, key = tokens.token_create(user=evaluator, name="Mine")

    answer = client_of(users, "admin").post(reverse("privacy_user_erase", args=[evaluator.pk]))
    assert answer.status_code == 302
    evaluator.refresh_from_db()
    assert (evaluator.first_name, evaluator.last_name, evaluator.email) == ("", "", "")
    assert not evaluator.is_active and not evaluator.has_usable_password()
    assert browser.get("/").status_code == 302
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=evaluator, revoked_at=None).exists()
    after = report_data(session_report(revealed))
    assert json.dumps(after, default=str).count("Secret Person") == 0
    # The same report, figure for figure; only the name differs.
    renamed = json.dumps(before, default=str).replace("Secret Person", str(evaluator))
    assert "Secret Person" in json.dumps(before, default=str)
    assert json.dumps(after, default=str) == renamed
    entry = AuditEvent.objects.get(action=AuditAction.PERSON_ERASED)
    assert entry.target_id == str(evaluator.pk) and "Secret" not in str(entry.details)


def test_erasing_a_user_who_is_an_agent_erases_the_agent_too(users):
    agent_user = users[Role.AGENT]
    client_of(users, "admin").post(reverse("privacy_user_erase", args=[agent_user.pk]))
    agent = Agent.objects.get(user=agent_user)
    assert agent.full_name == f"Erased agent {agent.pk}" and not agent.is_active


def test_the_export_holds_what_qalibrate_keeps_about_the_person(users, revealed):
    evaluator = users[Role.EVALUATOR]
    answer = client_of(users, "admin").get(reverse("privacy_user_export", args=[evaluator.pk]))
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    data = json.loads(answer.content)
    assert data["profile"]["username"] == evaluator.username
    made = data["evaluations_made"]
    assert len(made) == 6 and all(e["answers"] for e in made)
    assert any("SECRET-COMMENT" in a["comment"] for e in made for a in e["answers"])
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSON_EXPORTED, target_id=str(evaluator.pk)
    ).exists()

    agent = Agent.objects.get(user=users[Role.AGENT])
    ContactFactory(agent=agent, transcript=TRANSCRIPT)
    agent_data = json.loads(
        client_of(users, "admin").get(reverse("privacy_agent_export", args=[agent.pk])).content
    )
    assert agent_data["agent"]["full_name"] == agent.full_name
    assert TRANSCRIPT in [c["transcript"] for c in agent_data["contacts"]]
    assert User.objects.filter(pk=evaluator.pk, username=evaluator.username).exists()


def test_the_export_holds_the_persons_pairs_and_certifications(users, team, version, monkeypatch):
    import random

    from qalibrate.certification.models import Certification, GoldAttempt
    from qalibrate.double_scoring import services as double_scoring
    from qalibrate.double_scoring.models import Policy
    from qalibrate.evaluations.models import Evaluation
    from tests.factories import AgentFactory, UserFactory
    from tests.helpers import score_as

    evaluator, lead = users[Role.EVALUATOR], users[Role.QA_LEAD]
    partner = UserFactory(username="partner", role=Role.EVALUATOR)
    partner.teams.add(team)
    monkeypatch.setattr(double_scoring, "draw_random", random.Random(1))
    Policy.objects.create(team=team, scorecard=version.scorecard, share_percent=100)
    contact = ContactFactory(agent=AgentFactory(team=team))
    score_as(evaluator, None, contact, version=version)
    score_as(partner, None, contact, version=version, greet="no")
    certification = Certification.objects.create(
        evaluator=evaluator, team=team, scorecard=version.scorecard, started_by=lead
    )
    answer = client_of(users, "admin").get(reverse("privacy_user_export", args=[evaluator.pk]))
    data = json.loads(answer.content)
    (pair,) = data["double_scoring"]
    assert pair["contact"] == contact.external_id and pair["scored"] == "first"
    assert pair["within_tolerance"] is False
    (held,) = data["certifications"]
    assert held["status"] == certification.status and held["gold_contacts"] == []
    assert GoldAttempt.objects.count() == 0 and Evaluation.objects.count() == 2
