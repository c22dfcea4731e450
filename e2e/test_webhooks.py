"""An administrator adds a webhook from the home page, sends it a test event that a real
receiver gets signed, reads the delivery log, and deletes it after confirming; the pages read
in Russian and Swedish too."""

import json

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook as StandardWebhook

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.webhooks.models import Webhook
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


def test_a_webhook_from_the_form_to_a_signed_test_event(page, users, receiver, screenshot):
    log_in(page, users[Role.ADMIN])
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("Name").fill("Data warehouse")
    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("A session's scores are revealed").check()
    page.get_by_label("A session is completed").check()
    page.get_by_role("button", name="Save the webhook").click()
    expect(page.get_by_text("The webhook has been saved.")).to_be_visible()
    webhook = Webhook.objects.get()
    assert webhook.events == ["session.revealed", "session.completed"]
    expect(page.locator(".token-key")).to_have_text(webhook.secret)

    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_text("HTTP 200")).to_be_visible()
    (got,) = receiver.received
    payload = StandardWebhook(webhook.secret).verify(got.body, got.headers)
    assert payload["type"] == "ping"
    page.get_by_text("A test event sent from this page").click()  # opens the payload
    expect(page.locator("details pre")).to_contain_text('"webhook"')
    screenshot(page, "webhook-detail")

    page.goto("/webhooks/")
    expect(page.get_by_text("All delivered")).to_be_visible()
    for language, heading in [("ru", "Вебхуки"), ("sv", "Webhooks")]:
        with page.expect_navigation():
            page.select_option("#language-select", language)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        screenshot(page, f"webhook-list-{language}")
    with page.expect_navigation():
        page.select_option("#language-select", "en")

    page.goto(f"/webhooks/{webhook.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Delete the webhook").click()
    expect(page.get_by_text("The webhook has been deleted.")).to_be_visible()
    assert not Webhook.objects.exists()
    assert json.loads(got.body)["data"]["webhook"]["name"] == "Data warehouse"
