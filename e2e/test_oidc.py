"""Single sign-on through a browser against a real OpenID provider (oidc-provider from npm):
the button, the provider's sign-in and consent pages, the account made with the role and teams
its groups map to, a group without a role refused, log-out at both ends, and the mode where
only single sign-on signs in."""

import pytest
from playwright.sync_api import expect

from qalibrate.accounts.models import Role, User
from qalibrate.audit.models import AuditAction, AuditEvent
from tests.factories import TeamFactory, UserFactory
from tests.oidc.provider import configure, start_provider


@pytest.fixture
def provider(live_server, settings):
    process, issuer = start_provider(live_server.url)
    configure(settings, issuer)
    yield issuer
    process.kill()
    process.wait()


def sign_in_at_provider(page, login: str) -> None:
    page.get_by_role("link", name="Sign in with Test SSO").click()
    page.fill("input[name='login']", login)
    page.fill("input[name='password']", "any")
    page.locator("button[type='submit']").click()
    page.locator("button[type='submit']", has_text="Continue").click()  # consent


def test_a_qa_lead_signs_in_by_single_sign_on_and_out_again(page, provider, live_server):
    support, _sales = TeamFactory(name="Customer support"), TeamFactory(name="Sales")
    page.goto("/accounts/login/")
    sign_in_at_provider(page, "lena.holm")
    page.wait_for_url(f"{live_server.url}/")
    user = User.objects.get(email="lena.holm@example.com")
    assert (user.role, list(user.teams.all()), user.first_name) == (Role.QA_LEAD, [support], "Lena")
    assert not user.has_usable_password()
    expect(page.locator("body")).to_contain_text("Lena Holm")
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN, actor=user).exists()

    # Log-out ends the provider's session too: the next sign-in asks for the login again.
    page.locator("details.usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.locator("button", has_text="Yes").click()
    page.wait_for_url("**/accounts/login/")
    page.get_by_role("link", name="Sign in with Test SSO").click()
    expect(page.locator("input[name='login']")).to_be_visible()


def test_groups_without_a_role_and_deactivated_people_are_refused(page, provider, live_server):
    page.goto("/accounts/login/")
    sign_in_at_provider(page, "no.group")
    page.wait_for_url("**/accounts/login/?sso=failed")
    expect(page.get_by_role("alert")).to_contain_text("no Qalibrate role")
    assert not User.objects.filter(email="no.group@example.com").exists()

    UserFactory(username="lena", email="lena.holm@example.com", role=Role.QA_LEAD, is_active=False)
    page.context.clear_cookies()  # a new browser: the provider asks who it is again
    page.goto("/accounts/login/")
    sign_in_at_provider(page, "lena.holm")
    page.wait_for_url("**/accounts/login/?sso=failed")
    assert User.objects.get(email="lena.holm@example.com").is_active is False


def test_an_invited_account_is_found_by_email_and_kept_in_step(page, provider, live_server):
    TeamFactory(name="Sales")
    known = UserFactory(username="omar", email="Omar.Said@example.com", role=Role.QA_LEAD)
    page.goto("/accounts/login/")
    sign_in_at_provider(page, "omar.said")
    page.wait_for_url(f"{live_server.url}/")
    known.refresh_from_db()
    assert known.role == Role.EVALUATOR  # the provider's groups decide
    assert [team.name for team in known.teams.all()] == ["Sales"]
    assert User.objects.filter(email__iexact="omar.said@example.com").count() == 1


def test_single_sign_on_only_hides_and_refuses_the_password(page, provider, settings, client):
    settings.OIDC_ONLY = True
    UserFactory(username="pw", role=Role.ADMIN).set_password("Long enough password 1")
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with Test SSO")).to_be_visible()
    expect(page.locator("input[name='password']")).to_have_count(0)
    answer = client.post("/accounts/login/", {"username": "pw", "password": "x"})
    assert answer.status_code == 403
