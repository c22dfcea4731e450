"""The people pages per role and team, deactivation's effect on log-ins and tokens, and the
people import's good and bad files."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from qalibrate.accounts.models import Agent, ApiToken, Role, User
from qalibrate.api import tokens
from qalibrate.audit.models import AuditAction, AuditEvent
from qalibrate.people.models import Invitation
from tests.factories import AgentFactory, UserFactory
from tests.people.conftest import ROLES

PASSWORD = "Correct horse battery 42"
PAGES = ["people_list", "people_invite", "people_agent_create", "people_import"]
ALLOWED = {"admin", "qa_lead", "other_lead"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_who_opens_the_people_pages(actor, role, name):
    answer = actor(role).get(reverse(name))
    if role == "anonymous":
        assert answer.status_code == 302 and "/accounts/login/" in answer.url
    else:
        assert answer.status_code == (200 if role in ALLOWED else 403)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_a_member_of_the_team(actor, role, member, team_agent):
    """The team's QA lead and the admin manage the team's evaluator and agent; the other
    team's lead does not even find them."""
    edit = actor(role).get(reverse("people_user_edit", args=[member.pk]))
    agent = actor(role).get(reverse("people_agent_edit", args=[team_agent.pk]))
    deactivate = actor(role).post(reverse("people_user_deactivate", args=[member.pk]))
    expected = {"admin": 200, "qa_lead": 200, "other_lead": 404, "anonymous": 302}.get(role, 403)
    assert edit.status_code == agent.status_code == expected
    member.refresh_from_db()
    assert member.is_active == (role not in ("admin", "qa_lead"))
    assert deactivate.status_code in (302, 403, 404)


def test_a_lead_sees_only_the_people_of_their_teams(actor, member, team_agent, other_lead):
    own = actor("qa_lead").get(reverse("people_list")).content.decode()
    other = actor("other_lead").get(reverse("people_list")).content.decode()
    assert "member@example.com" in own and "Olga Agent" in own
    assert "member@example.com" not in other and "Olga Agent" not in other


def test_a_lead_gives_neither_high_roles_nor_foreign_teams(actor, member, other_team):
    client = actor("qa_lead")
    url = reverse("people_user_edit", args=[member.pk])
    for data in ({"role": "admin", "teams": [member.teams.get().pk]}, {"role": "qa_lead"}):
        answer = client.post(url, data)
        assert answer.status_code == 200 and answer.context["form"].errors
    answer = client.post(url, {"role": "evaluator", "teams": [other_team.pk]})
    assert answer.status_code == 200 and "teams" in answer.context["form"].errors
    member.refresh_from_db()
    assert member.role == Role.EVALUATOR and other_team not in member.teams.all()


def test_deactivation_signs_out_revokes_tokens_and_keeps_history(actor, users, member):
    member.set_password(PASSWORD)
    member.save()
    browser = Client()
    assert (
        browser.post(
            reverse("login"), {"username": member.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert browser.get("/").status_code == 200
    _token, key = tokens.token_create(user=member, name="Robot")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    answer = actor("qa_lead").post(reverse("people_user_deactivate", args=[member.pk]))
    assert answer.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assert browser.get("/").status_code == 302  # signed out
    assert api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=member, revoked_at=None).exists()
    assert (
        Client()
        .post(reverse("login"), {"username": member.username, "password": PASSWORD})
        .status_code
        == 200
    )  # refused
    assert AuditEvent.objects.filter(
        action=AuditAction.USER_DEACTIVATED, target_id=member.pk, actor=users[Role.QA_LEAD]
    ).exists()

    actor("qa_lead").post(reverse("people_user_reactivate", args=[member.pk]))
    assert (
        Client()
        .post(reverse("login"), {"username": member.username, "password": PASSWORD})
        .status_code
        == 302
    )
    assert api.get("/api/v1/me/").status_code == 401  # tokens stay revoked


def test_nobody_deactivates_themselves(users):
    admin = users[Role.ADMIN]
    client = Client()
    client.force_login(admin)
    answer = client.post(reverse("people_user_deactivate", args=[admin.pk]))
    assert answer.status_code == 403
    admin.refresh_from_db()
    assert admin.is_active


# --- import ----------------------------------------------------------------------------------


def upload(rows, *, name="people.csv"):
    if name.endswith(".xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    else:
        content = "\n".join(",".join(row) for row in rows).encode()
    file = io.BytesIO(content)
    file.name = name
    return file


HEADER = ["kind", "name", "email", "role", "teams", "external_id", "language"]


def counts():
    return User.objects.count(), Agent.objects.count(), Invitation.objects.count()


@pytest.mark.parametrize("name", ["people.csv", "people.xlsx"])
def test_a_good_file_invites_users_and_adds_agents(actor, team, smtp_inbox, name):
    rows = [
        HEADER,
        ["user", "Maria Svensson", "maria@example.com", "evaluator", team.name, "", "sv"],
        ["agent", "Ivan Petrov", "", "", team.name, "EMP-1042", ""],
    ]
    answer = actor("qa_lead").post(reverse("people_import"), {"file": upload(rows, name=name)})
    assert answer.status_code == 302
    assert Invitation.objects.get(email="maria@example.com").role == Role.EVALUATOR
    assert Agent.objects.get(employee_id="EMP-1042").team == team
    assert [message["To"] for message in smtp_inbox.messages] == ["maria@example.com"]
    assert (
        AuditEvent.objects.filter(action=AuditAction.IMPORTED).latest("pk").details["agents"] == 1
    )


def test_a_bad_file_names_each_problem_and_writes_nothing(actor, team, other_team, member):
    AgentFactory(employee_id="EMP-1", team=team)
    rows = [
        HEADER,
        ["user", "Good Person", "good@example.com", "evaluator", team.name, "", ""],
        ["user", "No Address", "not-an-address", "evaluator", team.name, "", ""],
        ["user", "High Role", "boss@example.com", "admin", team.name, "", ""],
        ["user", "Foreign", "foreign@example.com", "evaluator", other_team.name, "", ""],
        ["user", "Known", "member@example.com", "evaluator", team.name, "", ""],
        ["agent", "No Team", "", "", "", "EMP-9", ""],
        ["agent", "Taken Id", "", "", team.name, "EMP-1", ""],
        ["robot", "Odd Kind", "", "", team.name, "", ""],
        ["user", "Twice", "good@example.com", "evaluator", team.name, "", ""],
        ["user", "Nowhere", "x@example.com", "evaluator", "No such team", "", ""],
    ]
    before = counts()
    answer = actor("qa_lead").post(reverse("people_import"), {"file": upload(rows)})
    assert answer.status_code == 200
    report = answer.context["report"]
    found = {(error.row, error.column) for error in report.errors}
    assert found >= {
        (3, "email"),
        (4, "role"),
        (5, "teams"),
        (6, "email"),
        (7, "teams"),
        (8, "external_id"),
        (9, "kind"),
        (10, "email"),
        (11, "teams"),
    }
    assert not any(error.row == 2 for error in report.errors)
    assert counts() == before
    assert "not-an-address" in answer.content.decode()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"kind,name\n", "no people"),
        (b"name,email\nX,x@example.com\n", "kind"),
        (b"\x00\x01garbage", ""),
    ],
)
def test_an_unreadable_file_gets_a_clear_error(actor, content, message, team):
    file = io.BytesIO(content)
    file.name = "people.csv"
    before = counts()
    answer = actor("admin").post(reverse("people_import"), {"file": file})
    assert answer.status_code == 200
    assert counts() == before
    report = answer.context["report"]
    assert report is not None and report.errors, answer.context["form"].errors
    assert message in " ".join(error.message for error in report.errors).lower()
    assert report.errors[0].message in answer.content.decode()


def test_the_template_reads_back(actor):
    answer = actor("qa_lead").get(reverse("people_import_template"))
    assert answer.status_code == 200
    header = answer.content.decode().splitlines()[0].split(",")
    assert header == HEADER


def test_a_lead_of_all_teams_is_not_an_admin_here(db, team, other_team):
    lead = UserFactory(username="everywhere", role=Role.QA_LEAD, all_teams=True)
    client = Client()
    client.force_login(lead)
    page = client.get(reverse("people_invite"))
    roles = [value for value, _label in page.context["form"].fields["role"].choices]
    assert "admin" not in roles and "qa_lead" not in roles


def test_an_agent_with_a_login_shows_their_agent_team(actor, other_team):
    person = UserFactory(username="agent-login", role=Role.AGENT, email="al@example.com")
    AgentFactory(full_name="Agent Login", team=other_team, user=person)
    rows = actor("admin").get(reverse("people_list")).context["rows"]
    [row] = [row for row in rows if row["person"] == person]
    assert row["teams"] == [other_team]
