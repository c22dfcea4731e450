from datetime import timedelta

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from tests.factories import PASSWORD


def _log_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_login_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to Qalibrate" in response.content
    assert b'<label for="id_username">' in response.content


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_correct_password_logs_in_and_remembers_the_language(client, users):
    user = users[Role.EVALUATOR]
    user.language = "sv"
    user.save()
    response = _log_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert response.cookies["django_language"].value == "sv"


def test_wrong_password_gets_a_clear_message(client, users):
    response = _log_in(client, users[Role.EVALUATOR].username, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_out_with_the_wait_time(client, users, settings):
    username = users[Role.EVALUATOR].username
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, username, "wrong").status_code == 200
    response = _log_in(client, username, "wrong")
    assert response.status_code == 429
    assert "Too many failed log-in attempts. Try again in 15 minutes." in response.content.decode()
    # Locked out means locked out: even the right password is refused until the wait is over.
    response = _log_in(client, username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_message_uses_russian_plural_forms(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 1
    username = users[Role.EVALUATOR].username
    client.cookies["django_language"] = "ru"
    for minutes, expected in [(1, "1 минуту"), (3, "3 минуты"), (15, "15 минут")]:
        settings.AXES_COOLOFF_TIME = timedelta(minutes=minutes)
        response = _log_in(client, f"{username}-{minutes}", "wrong")
        assert response.status_code == 429
        assert f"Попробуйте снова через {expected}." in response.content.decode()


def test_lockout_is_per_user_name(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _log_in(client, users[Role.EVALUATOR].username, "wrong")
    response = _log_in(client, users[Role.QA_LEAD].username, PASSWORD)
    assert response.status_code == 302


def test_success_resets_the_failure_count(client, users, settings):
    username = users[Role.EVALUATOR].username
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, username, "wrong")
    assert _log_in(client, username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, username, "wrong").status_code == 200


def test_logout_needs_post_and_ends_the_session(client, users):
    client.force_login(users[Role.EVALUATOR])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302
