import pytest

from qalibrate.accounts.models import Role
from tests.factories import PASSWORD, ContactFactory

LANDING = {
    "en": {
        Role.ADMIN: "Administration",
        Role.QA_LEAD: "Quality dashboard",
        Role.EVALUATOR: "My calibration work",
        Role.AGENT: "My results",
    },
    "ru": {
        Role.ADMIN: "Администрирование",
        Role.QA_LEAD: "Панель качества",
        Role.EVALUATOR: "Моя калибровка",
        Role.AGENT: "Мои результаты",
    },
    "sv": {
        Role.ADMIN: "Administration",
        Role.QA_LEAD: "Kvalitetsöversikt",
        Role.EVALUATOR: "Mitt kalibreringsarbete",
        Role.AGENT: "Mina resultat",
    },
}
LOG_IN_BUTTON = {"en": "Log in", "ru": "Войти", "sv": "Logga in"}


@pytest.fixture
def people(transactional_db, users):
    ContactFactory.create_batch(3, agent=users[Role.AGENT].agent_profile, channel="chat")
    return users


@pytest.mark.parametrize("language", ["en", "ru", "sv"])
def test_each_role_logs_in_and_lands_on_its_page(page, people, screenshot, language):
    page.goto("/accounts/login/")
    page.select_option("#language-select", language)
    page.wait_for_selector(f'html[lang="{language}"]')
    screenshot(page, f"login-{language}")
    for role, heading in LANDING[language].items():
        people[role].language = language  # log-in switches to the person's own language
        people[role].save()
        page.goto("/accounts/login/")
        page.fill("#id_username", people[role].username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name=LOG_IN_BUTTON[language], exact=True).click()
        page.wait_for_url("**/")
        assert page.locator("h1").inner_text() == heading
        screenshot(page, f"home-{role.value}-{language}")
        page.locator(".usermenu summary").click()
        page.locator(".usermenu button[type=submit]").click()
        page.wait_for_url("**/accounts/login/")


def test_wrong_password_in_the_browser(page, people, screenshot):
    page.goto("/accounts/login/")
    page.fill("#id_username", people[Role.EVALUATOR].username)
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    assert "Please enter a correct username and password" in page.locator(".alert").inner_text()
    screenshot(page, "login-wrong-password-en")


def test_phone_layout(browser, live_server, people, screenshot):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, is_mobile=True
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", people[Role.AGENT].username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url("**/")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "home-agent-phone")
    context.close()
