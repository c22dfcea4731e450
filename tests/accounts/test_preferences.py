from django.core.management import call_command
from django.urls import reverse

from qalibrate.accounts.models import Role, User


def test_user_sets_language_and_time_zone(client, users):
    user = users[Role.EVALUATOR]
    client.force_login(user)
    data = {
        "first_name": "Anna",
        "last_name": "Berg",
        "email": "anna@example.com",
        "language": "sv",
        "time_zone": "Europe/Stockholm",
    }
    response = client.post(reverse("preferences"), data)
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "sv"
    user.refresh_from_db()
    assert (user.language, user.time_zone, user.first_name) == ("sv", "Europe/Stockholm", "Anna")


def test_unknown_time_zone_is_refused_and_nothing_changes(client, users):
    user = users[Role.EVALUATOR]
    client.force_login(user)
    data = {"first_name": "X", "email": user.email, "language": "en", "time_zone": "Mars/Base"}
    response = client.post(reverse("preferences"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    user.refresh_from_db()
    assert user.time_zone == "UTC" and user.first_name != "X"


def test_language_switch_is_kept_on_the_profile(client, users):
    user = users[Role.QA_LEAD]
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).language == "ru"
    assert "Панель качества" in client.get("/").content.decode()


def test_unknown_language_code_falls_back_to_the_default(client, users):
    user = users[Role.QA_LEAD]
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=user.pk).language == "en"
    client.cookies["django_language"] = "xx"
    response = client.get("/", headers={"accept-language": "zz"})
    assert "<h1>Quality dashboard</h1>" in response.content.decode()


def test_createadmin_command(db, monkeypatch):
    monkeypatch.setenv("QALIBRATE_ADMIN_PASSWORD", "a-long-admin-passphrase")
    call_command("createadmin", "boss", email="boss@example.com")
    boss = User.objects.get(username="boss")
    assert boss.role == Role.ADMIN and boss.check_password("a-long-admin-passphrase")


def test_createadmin_refuses_a_weak_password(db, monkeypatch):
    import pytest
    from django.core.management.base import CommandError

    monkeypatch.setenv("QALIBRATE_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("createadmin", "boss")
    assert not User.objects.filter(username="boss").exists()
