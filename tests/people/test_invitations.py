"""Inviting a person: the e-mail through real SMTP in their language, the one-time link, the
account it makes; expired, used and unknown links; addresses that already have an account."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from qalibrate.accounts.models import Agent, Role, User
from qalibrate.audit.models import AuditAction, AuditEvent
from qalibrate.people import services
from qalibrate.people.models import Invitation
from qalibrate.people.selectors import token_hash
from tests.factories import UserFactory
from tests.people.conftest import body_of, link_in, subject_of

PASSWORD = "a-long-unusual-passphrase-42"


def invite_through_page(client, team, *, email, role="evaluator", language="en"):
    return client.post(
        "/people/invite/",
        {"email": email, "role": role, "teams": [team.pk], "language": language},
    )


@pytest.mark.parametrize(("language", "role_label"), [("ru", "Оценщик"), ("sv", "Bedömare")])
def test_invite_mail_accept_signed_in(
    actor, users, team, smtp_inbox, settings, language, role_label
):
    settings.SITE_URL = "http://testserver"
    response = invite_through_page(
        actor("qa_lead"), team, email="new.person@example.com", language=language
    )
    assert response.status_code == 302
    [message] = smtp_inbox.messages
    assert message["To"] == "new.person@example.com"
    with translation.override(language):
        assert subject_of(message) == gettext("You are invited to Qalibrate")
    body = body_of(message)
    assert role_label in body  # the role's name in the invitee's language
    assert "new.person@example.com" in body
    link = link_in(message)
    invitation = Invitation.objects.get()
    assert invitation.language == language
    token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash and invitation.token_hash == token_hash(token)
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(
        seconds=5
    )

    visitor = Client()
    page = visitor.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "new.person@example.com" in page.text
    answer = visitor.post(
        urlsplit(link).path,
        {"first_name": "Nina", "last_name": "New", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert answer.status_code == 302 and answer.url == "/"
    user = User.objects.get(email="new.person@example.com")
    assert user.role == Role.EVALUATOR and user.language == language
    assert list(user.teams.all()) == [team]
    assert user.check_password(PASSWORD)
    assert visitor.get("/").context["user"] == user  # signed in
    invitation.refresh_from_db()
    assert invitation.accepted_user == user and invitation.accepted_at
    actions = list(
        AuditEvent.objects.filter(
            action__in=[
                AuditAction.USER_INVITED,
                AuditAction.INVITATION_ACCEPTED,
                AuditAction.SIGN_IN,
            ]
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        AuditAction.USER_INVITED,
        AuditAction.INVITATION_ACCEPTED,
        AuditAction.SIGN_IN,
    ]
    # The link worked once.
    again = Client().get(urlsplit(link).path)
    assert again.status_code == 410
    assert "used already" in again.text


def _invitation(users, team, **fields):
    invitation, token = services.invitation_create(
        by=users[Role.ADMIN],
        email=fields.pop("email", "someone@example.com"),
        role=fields.pop("role", Role.EVALUATOR),
        teams=[team],
        language="en",
    )
    if fields:
        Invitation.objects.filter(pk=invitation.pk).update(**fields)
    return invitation, token


def test_an_expired_link_gives_a_clear_page(users, team, client):
    _invitation_row, token = _invitation(users, team, expires_at=timezone.now())
    response = client.get(f"/people/invitations/{token}/")
    assert response.status_code == 410
    assert "expired" in response.text
    post = client.post(
        f"/people/invitations/{token}/",
        {"first_name": "X", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert post.status_code == 410
    assert not User.objects.filter(email="someone@example.com").exists()


def test_a_reused_link_makes_no_second_account(users, team):
    _row, token = _invitation(users, team)
    data = {"first_name": "A", "password1": PASSWORD, "password2": PASSWORD}
    assert Client().post(f"/people/invitations/{token}/", data).status_code == 302
    response = Client().post(f"/people/invitations/{token}/", data)
    assert response.status_code == 410
    assert User.objects.filter(email="someone@example.com").count() == 1


def test_an_unknown_link_is_not_found(client, db):
    response = client.get("/people/invitations/not-a-real-key/")
    assert response.status_code == 404
    assert "not known" in response.text


def test_weak_or_differing_passwords_are_refused(users, team):
    _row, token = _invitation(users, team)
    client = Client()
    common = client.post(
        f"/people/invitations/{token}/",
        {"first_name": "A", "password1": "password", "password2": "password"},
    )
    assert common.status_code == 200
    assert common.context["form"].errors["password1"]
    differing = client.post(
        f"/people/invitations/{token}/",
        {"first_name": "A", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert differing.context["form"].errors["password2"]
    assert not User.objects.filter(email="someone@example.com").exists()


def test_an_address_with_an_active_account_is_refused(actor, users, team, member, smtp_inbox):
    response = invite_through_page(actor("admin"), team, email="MEMBER@example.com")
    assert response.status_code == 200
    assert "already has an account" in str(response.context["form"].errors["email"])
    assert not Invitation.objects.exists() and not smtp_inbox.messages


def test_an_address_with_a_deactivated_account_is_sent_to_reactivation(actor, team, member):
    member.is_active = False
    member.save()
    response = invite_through_page(actor("admin"), team, email="member@example.com")
    assert "reactivate" in str(response.context["form"].errors["email"])


def test_an_invited_agent_gets_an_agent_record(users, team):
    _row, token = _invitation(users, team, email="agent.new@example.com", role=Role.AGENT)
    Client().post(
        f"/people/invitations/{token}/",
        {"first_name": "Ali", "last_name": "Agent", "password1": PASSWORD, "password2": PASSWORD},
    )
    agent = Agent.objects.get(user__email="agent.new@example.com")
    assert agent.team == team and agent.full_name == "Ali Agent"


def test_an_account_made_meanwhile_stops_the_acceptance(users, team):
    _row, token = _invitation(users, team)
    UserFactory(username="meanwhile", email="someone@example.com")
    response = Client().post(
        f"/people/invitations/{token}/",
        {"first_name": "A", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "already has an account" in response.text
