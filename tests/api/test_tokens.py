"""Personal API tokens: only a hash is stored, revoked or unknown keys are refused, the key is
shown once on the Preferences page, and the `token` command prints one."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from qalibrate.accounts.models import ApiToken, Role
from qalibrate.api import tokens
from tests.factories import UserFactory

ME = "/api/v1/me/"


def test_only_the_sha256_of_the_key_is_stored(users):
    token, key = tokens.token_create(user=users[Role.EVALUATOR], name="  Nightly export  ")
    token.refresh_from_db()
    assert key.startswith("qal_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.name == "Nightly export" and token.prefix == key[:12]
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert not any(key in value for value in stored)
    assert tokens.token_create(user=users[Role.EVALUATOR], name="x")[1] != key


def test_the_key_authenticates_as_its_user(api, users):
    response = api(users[Role.QA_LEAD]).get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "qa_lead" and response.json()["role"] == "qa_lead"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Token",
        "Token qal_not-a-real-key",
        "Token a b",
        "Token not-even-our-prefix",
        "Bearer qal_whatever",
    ],
)
def test_missing_or_wrong_credentials_get_401(api, header):
    client = api()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def test_a_revoked_token_stops_working_at_once(api, users):
    user = users[Role.EVALUATOR]
    token, key = tokens.token_create(user=user, name="ci")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).status_code == 200
    tokens.token_revoke(token=token, user=user)
    response = client.get(ME)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    first = ApiToken.objects.get().revoked_at
    tokens.token_revoke(token=token, user=user)  # twice: nothing changes
    assert ApiToken.objects.get().revoked_at == first


def test_only_the_owner_or_an_administrator_revokes(users):
    token, _key = tokens.token_create(user=users[Role.EVALUATOR], name="ci")
    with pytest.raises(PermissionDenied):
        tokens.token_revoke(token=token, user=users[Role.QA_LEAD])
    tokens.token_revoke(token=token, user=users[Role.ADMIN])
    assert not ApiToken.objects.get().is_active


def test_a_deactivated_user_token_is_refused(api, users):
    user = users[Role.EVALUATOR]
    client = api(user)
    user.is_active = False
    user.save()
    assert client.get(ME).status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(api, users):
    token, key = tokens.token_create(user=users[Role.EVALUATOR], name="ci")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get(ME)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get(ME)
    assert ApiToken.objects.get().last_used_at == first  # not written on every request
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.get(ME)
    assert ApiToken.objects.get().last_used_at > first


def test_session_login_works_too_and_needs_csrf_for_writes(users, revealed):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users[Role.QA_LEAD])
    assert client.get(ME).status_code == 200
    response = client.post(f"/api/v1/sessions/{revealed.pk}/cancel/")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


# --- the Preferences page -------------------------------------------------------------------


def test_preferences_page_creates_a_token_and_shows_the_key_once(client, users):
    user = users[Role.AGENT]
    client.force_login(user)
    response = client.post(reverse("api_token_create"), {"name": "My script"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    token = ApiToken.objects.get(user=user)
    key = page.split('<code class="token-key">')[1].split("</code>")[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert "My script" in page and "shown only this once" in page
    again = client.get(reverse("preferences")).content.decode()
    assert key not in again and token.prefix in again and "My script" in again
    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(ME).json()["username"] == user.username


def test_a_token_needs_a_name(client, users):
    client.force_login(users[Role.EVALUATOR])
    response = client.post(reverse("api_token_create"), {"name": " "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_preferences_page_revokes_own_tokens_only(client, users):
    mine, _key = tokens.token_create(user=users[Role.EVALUATOR], name="mine")
    theirs, _key = tokens.token_create(user=users[Role.QA_LEAD], name="theirs")
    client.force_login(users[Role.EVALUATOR])
    assert client.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("api_token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    page = client.get(reverse("preferences")).content.decode()
    assert "revoked" in page


def test_token_pages_need_a_login_and_post(client, users):
    assert client.post(reverse("api_token_create"), {"name": "x"}).status_code == 302
    client.force_login(users[Role.EVALUATOR])
    assert client.get(reverse("api_token_create")).status_code == 405


# --- the command ----------------------------------------------------------------------------


def test_command_prints_a_working_key(api, users):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "qa_lead", "--name", "Nightly", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert "\n" not in key and key.startswith("qal_")
    assert "not shown again" in err.getvalue()
    token = ApiToken.objects.get(user=users[Role.QA_LEAD])
    assert token.name == "Nightly" and token.key_hash == tokens.key_hash(key)
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["username"] == "qa_lead"


def test_command_lists_and_revokes(users):
    token, key = tokens.token_create(user=users[Role.EVALUATOR], name="ci")
    out = io.StringIO()
    call_command("token", "list", "evaluator", stdout=out)
    assert token.prefix in out.getvalue() and "active" in out.getvalue()
    assert key not in out.getvalue()
    call_command("token", "revoke", str(token.pk), stdout=io.StringIO())
    assert tokens.token_authenticate(key) is None


def test_command_refuses_unknown_and_deactivated_users(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("token", "create", "nobody", stdout=io.StringIO())
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("token", "create", "gone", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No token"):
        call_command("token", "revoke", "999", stdout=io.StringIO())
