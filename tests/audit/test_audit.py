"""The audit trail: each audited action writes its entry, only administrators read it (page, CSV,
API), and nothing can change or delete an entry."""

import csv
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.api import tokens
from qalibrate.audit.models import AuditAction, AuditEvent
from qalibrate.calibration import services as calibration
from qalibrate.contacts.importing import contacts_apply
from qalibrate.evaluations import services as evaluations
from qalibrate.evaluations.services import AnswerInput
from qalibrate.scorecards.formats import scorecard_import, version_to_dict
from tests.factories import AgentFactory, ContactFactory, TeamFactory
from tests.helpers import criteria

PASSWORD = "Correct horse battery 42"
STAFF_ROLES = [Role.QA_LEAD, Role.EVALUATOR, Role.AGENT]


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- each action writes its entry -------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_recorded(users):
    user = users[Role.EVALUATOR]
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    failed = last(AuditAction.SIGN_IN_FAILED)
    assert failed.actor is None and failed.details == {"username": user.username}
    assert failed.address == "127.0.0.1"
    assert "wrong" not in str(failed.details)
    answer = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302
    entry = last(AuditAction.SIGN_IN)
    assert (entry.actor, entry.target_id, entry.address) == (user, str(user.pk), "127.0.0.1")
    client.post(reverse("logout"))
    assert last(AuditAction.SIGN_OUT).actor == user


def test_role_and_team_changes_are_recorded_with_old_and_new(users, team):
    admin, person = users[Role.ADMIN], users[Role.EVALUATOR]
    sales = TeamFactory(name="Sales")
    answer = signed_in(admin).post(
        reverse("people_user_edit", args=[person.pk]), {"role": "qa_lead", "teams": [sales.pk]}
    )
    assert answer.status_code == 302
    role = last(AuditAction.ROLE_CHANGED)
    assert role.details == {"old": "evaluator", "new": "qa_lead"}
    assert (role.actor, role.target_id) == (admin, str(person.pk))
    changes = AuditEvent.objects.filter(
        action=AuditAction.TEAMS_CHANGED, target_id=person.pk, actor=admin
    )
    assert sorted(list(e.details.items()) for e in changes) == [
        [("added", ["Sales"])],
        [("removed", [team.name])],
    ]
    # From the team's side too (Django's admin edits teams that way); a command has no actor.
    sales.members.remove(person)
    entry = last(AuditAction.TEAMS_CHANGED)
    assert (entry.details, entry.actor) == ({"removed": ["Sales"]}, None)


def test_token_creation_and_revocation_are_recorded(users):
    owner = users[Role.EVALUATOR]
    token, key = tokens.token_create(user=owner, name="Nightly")
    created = last(AuditAction.TOKEN_CREATED)
    assert created.details == {"owner": owner.username, "prefix": token.prefix}
    assert key not in str(created.details) and created.target_id == str(token.pk)
    tokens.token_revoke(token=token, user=users[Role.ADMIN])
    tokens.token_revoke(token=token, user=users[Role.ADMIN])  # twice: one entry
    revoked = AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED)
    assert [e.actor for e in revoked] == [users[Role.ADMIN]]


def test_reveal_agreed_answer_complete_and_cancel_are_recorded(users, revealed, team, session):
    lead = users[Role.QA_LEAD]
    reveal = last(AuditAction.SESSION_REVEALED)
    assert (reveal.actor, reveal.target_id, reveal.team) == (lead, str(revealed.pk), team)
    first = revealed.session_contacts.first()
    need = criteria(revealed.version)["Understands the need"]
    before = first.agreed_answers.get(criterion=need).form_value
    calibration.agreed_answer_set(
        session_contact=first, criterion=need, user=lead, answer=AnswerInput("1"), reason="Rude"
    )
    changed = last(AuditAction.AGREED_ANSWER_CHANGED)
    assert changed.details == {
        "criterion": "Understands the need",
        "old": before,
        "new": "1",
        "reason": "Rude",
    }
    calibration.session_complete(session=revealed, user=lead, summary="Done")
    assert last(AuditAction.SESSION_COMPLETED).target_id == str(revealed.pk)
    other = calibration.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=AgentFactory(team=team)) for _ in range(5)],
        evaluators=[users[Role.EVALUATOR]],
        title="To cancel",
        version=revealed.version,
        team=team,
        scoring_deadline=revealed.scoring_deadline,
        meeting_at=revealed.meeting_at,
        facilitator=lead,
    )
    calibration.session_move(session=other, user=lead, action="cancel")
    assert last(AuditAction.SESSION_CANCELLED).target_id == str(other.pk)


def test_report_views_and_downloads_are_recorded(users, revealed):
    client = signed_in(users[Role.QA_LEAD])
    assert client.get(reverse("session_report", args=[revealed.pk])).status_code == 200
    viewed = last(AuditAction.REPORT_VIEWED)
    assert (viewed.actor, viewed.target_id) == (users[Role.QA_LEAD], str(revealed.pk))
    url = reverse("session_report_file", args=[revealed.pk, "csv"])
    assert client.get(url, {"anonymous": "1"}).status_code == 200
    downloaded = last(AuditAction.REPORT_DOWNLOADED)
    assert downloaded.details == {"format": "csv", "anonymous": True}
    # A refused request records nothing.
    agent = signed_in(users[Role.AGENT])
    count = AuditEvent.objects.count()
    assert agent.get(url).status_code in (403, 404)
    assert AuditEvent.objects.count() == count


def test_reopen_and_share_are_recorded(users, version):
    evaluator, lead = users[Role.EVALUATOR], users[Role.QA_LEAD]
    contact = ContactFactory(agent=users[Role.AGENT].agent_profile)
    evaluation = evaluations.evaluation_start(contact=contact, evaluator=evaluator, version=version)
    c = criteria(version)
    answers = {
        c["Greets with own name"].pk: AnswerInput("yes"),
        c["Verifies identity"].pk: AnswerInput("yes"),
        c["Understands the need"].pk: AnswerInput("3"),
        c["Information is correct"].pk: AnswerInput(na=True),
    }
    evaluations.evaluation_save(evaluation=evaluation, user=evaluator, answers=answers)
    evaluations.evaluation_submit(evaluation=evaluation, user=evaluator)
    evaluations.evaluation_release(evaluation=evaluation, user=lead)
    assert last(AuditAction.EVALUATION_SHARED).target_id == str(evaluation.pk)
    evaluations.evaluation_reopen(evaluation=evaluation, user=lead, reason="Wrong call")
    reopened = last(AuditAction.EVALUATION_REOPENED)
    assert (reopened.actor, reopened.details) == (lead, {"reason": "Wrong call"})


def test_imports_are_recorded(users, team, version):
    admin = users[Role.ADMIN]
    AgentFactory(employee_id="EN001", team=team)
    row = {
        "external_id": "R-1",
        "channel": "call",
        "agent_id": "EN001",
        "occurred_at": "2026-03-02",
    }
    contacts_apply(records=[row], user=admin)
    imported = last(AuditAction.IMPORTED)
    assert imported.actor == admin
    assert imported.details == {"kind": "contacts", "rows": 1, "created": 1, "updated": 0}
    scorecard = scorecard_import(data=version_to_dict(version), author=admin)
    entry = last(AuditAction.IMPORTED)
    assert entry.details == {"kind": "scorecard"} and entry.target_id == str(scorecard.pk)


# --- who reads it ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_only_administrators_read_the_trail(users, role):
    client = signed_in(users[role])
    assert client.get(reverse("audit_list")).status_code == 403
    assert client.get(reverse("audit_csv")).status_code == 403
    assert client.get("/api/v1/audit-events/").status_code == 403
    assert "/audit/" not in client.get("/").content.decode()
    anonymous = Client()
    assert anonymous.get(reverse("audit_list")).status_code == 302
    assert anonymous.get("/api/v1/audit-events/").status_code in (401, 403)


def test_the_page_filters_and_the_csv_is_safe(users):
    admin = users[Role.ADMIN]
    Client().post(reverse("login"), {"username": '=HYPERLINK("http://x")', "password": "x"})
    tokens.token_create(user=admin, name="Report robot")
    client = signed_in(admin)
    page = client.get(reverse("audit_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "API token created" in html and "Sign-in failed" in html
    assert reverse("audit_list") in client.get("/").content.decode()  # in the menu
    filtered = client.get(reverse("audit_list"), {"action": AuditAction.TOKEN_CREATED})
    assert [e.action for e in filtered.context["events"]] == [AuditAction.TOKEN_CREATED]
    assert client.get(reverse("audit_list"), {"date_from": "nonsense"}).status_code == 200
    answer = client.get(reverse("audit_csv"), {"action": AuditAction.SIGN_IN_FAILED})
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][:3] == ["at", "actor", "action"]
    assert len(rows) == 2 and rows[1][2] == "sign_in_failed"
    assert rows[1][7] == '{"username": "=HYPERLINK(\\"http://x\\")"}'  # JSON: starts with {
    assert all(not cell.startswith(("=", "+", "@")) for cell in rows[1])


def test_the_page_pages_without_counting(users):
    admin = users[Role.ADMIN]
    for number in range(55):
        tokens.token_create(user=admin, name=f"t{number}")
    client = signed_in(admin)
    first = client.get(reverse("audit_list"), {"action": AuditAction.TOKEN_CREATED})
    assert len(first.context["events"]) == 50 and first.context["next_number"] == 2
    second = client.get(reverse("audit_list"), {"action": AuditAction.TOKEN_CREATED, "page": 2})
    assert len(second.context["events"]) == 5 and second.context["next_number"] is None
    assert client.get(reverse("audit_list"), {"page": "x"}).status_code == 200


def test_the_api_lists_filters_and_refuses_every_write(users):
    admin = users[Role.ADMIN]
    tokens.token_create(user=admin, name="Robot")
    client = signed_in(admin)
    answer = client.get("/api/v1/audit-events/", {"action": "token_created"})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["action"] for r in results] == ["token_created"]
    assert results[0]["actor"] == admin.username
    pk = results[0]["id"]
    assert client.get(f"/api/v1/audit-events/{pk}/").json()["id"] == pk
    assert client.get("/api/v1/audit-events/", {"action": "nonsense"}).status_code == 400
    for method in ("post", "put", "patch", "delete"):
        address = "/api/v1/audit-events/" if method == "post" else f"/api/v1/audit-events/{pk}/"
        refused = getattr(client, method)(address, {}, content_type="application/json")
        assert refused.status_code == 405, method
    assert AuditEvent.objects.get(pk=pk).action == "token_created"
    assert client.get("/admin/audit/auditevent/").status_code == 404  # not in Django's admin


# --- nobody changes it -----------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted(users):
    event = tokens.token_create(user=users[Role.ADMIN], name="x") and last(
        AuditAction.TOKEN_CREATED
    )
    event.details = {"forged": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(details={})
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).details != {"forged": True}


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_changes_on_postgresql(users):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite relies on the model's guards (migration 0002)")
    from django.db import DatabaseError, transaction

    tokens.token_create(user=users[Role.ADMIN], name="x")
    pk = last(AuditAction.TOKEN_CREATED).pk
    for sql in (
        "UPDATE audit_auditevent SET details = '{}' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
    assert AuditEvent.objects.filter(pk=pk).exists()


def test_the_page_shows_the_facts_in_the_readers_language(users):
    admin, person = users[Role.ADMIN], users[Role.EVALUATOR]
    client = signed_in(admin)
    client.post(reverse("people_user_edit", args=[person.pk]), {"role": "qa_lead"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    page = client.get(reverse("audit_list"), {"action": AuditAction.ROLE_CHANGED})
    html = page.content.decode()
    assert "<dt>före</dt><dd>Bedömare</dd>" in html
    assert "<dt>efter</dt><dd>Kvalitetsansvarig</dd>" in html
