"""The bell and the notification list on the demo, and an e-mail as a mail program shows it."""

from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.accounts.models import User
from qalibrate.demo.builder import build_demo
from qalibrate.notifications.models import Kind, Notification


def test_bell_list_and_email(page, transactional_db, screenshot):
    build_demo()
    james = User.objects.get(username="james.cole")
    unread = Notification.objects.filter(user=james, read_at__isnull=True).count()
    assert unread > 0
    log_in(page, "james.cole")
    expect(page.locator(".bell-count")).to_have_text(str(unread))
    page.locator("a.bell").click()
    page.wait_for_url("**/notifications/")
    assert page.locator(".notification-list li.unread").count() == min(unread, 30)
    screenshot(page, "notifications-en")
    page.locator(".notification-list li.unread").first.get_by_role("button").click()
    page.wait_for_load_state()
    if unread == 1:
        expect(page.locator(".bell-count")).to_have_count(0)
    else:
        expect(page.locator(".bell-count")).to_have_text(str(unread - 1))

    invitation = Notification.objects.filter(user=james, kind=Kind.INVITATION).first()
    page.set_content(invitation.body_html)
    expect(page.locator("h1")).to_have_text(invitation.subject)
    screenshot(page, "email-invitation-en")
    russian = Notification.objects.filter(user__language="ru", kind=Kind.INVITATION).first()
    page.set_content(russian.body_html)
    assert "Здравствуйте" in page.content()
    screenshot(page, "email-invitation-ru")
