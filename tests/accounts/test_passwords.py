import re
from email.header import decode_header, make_header

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from qalibrate import settings as project_settings
from qalibrate.accounts.models import Role, User
from tests.factories import PASSWORD

NEW_PASSWORD = "a-new-long-passphrase-42"


def test_argon2_is_the_password_hasher(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("anything").startswith("argon2$argon2id$")


def test_password_reset_by_email_through_a_real_smtp_server(client, users, smtp_inbox):
    user = users[Role.EVALUATOR]
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")

    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your Qalibrate password"
    body = message.get_payload(decode=True).decode()
    assert f"Your user name is {user.username}." in body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body).group(1)

    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once.
    assert b"This link is invalid" in client.get(link, follow=True).content


def test_password_reset_is_sent_in_the_recipients_language(client, users, smtp_inbox):
    user = users[Role.AGENT]
    user.language = "ru"
    user.save()
    client.post(reverse("password_reset"), {"email": user.email})  # the page is in English
    message = smtp_inbox.messages[0]
    assert str(make_header(decode_header(message["Subject"]))) == "Сброс пароля Qalibrate"
    assert f"Ваше имя пользователя: {user.username}." in message.get_payload(decode=True).decode()


@pytest.mark.django_db
def test_password_reset_does_not_reveal_unknown_addresses(client, smtp_inbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert smtp_inbox.messages == []


def test_password_change(client, users):
    user = users[Role.QA_LEAD]
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_password_change_with_wrong_old_password_keeps_the_old_one(client, users):
    user = users[Role.QA_LEAD]
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
