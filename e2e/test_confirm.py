"""A button that asks before it acts (data-confirm, read by static/qalibrate/js/site.js, with no
inline handler in the page): dismissed, nothing is sent; accepted, the action runs. The language
switch (data-autosubmit) still submits itself."""

from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.accounts.models import Role


def test_cancelling_a_session_asks_first(page, transactional_db, users, session):
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    log_in(page, users[Role.QA_LEAD])
    page.goto(f"/sessions/{session.pk}/")
    cancel = page.get_by_role("button", name="Cancel the session")
    questions = []

    def answer(accept):
        def handle(dialog):
            questions.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return handle

    page.once("dialog", answer(accept=False))
    cancel.click()
    page.wait_for_timeout(500)  # time enough for a form to be sent, were it going to be
    assert questions == ["Cancel this session?"]
    assert not [url for url in posts if "/cancel/" in url]
    session.refresh_from_db()
    assert session.status == "draft"

    page.once("dialog", answer(accept=True))
    with page.expect_navigation():
        cancel.click()
    assert len(questions) == 2
    session.refresh_from_db()
    assert session.status == "cancelled"
    expect(page.get_by_role("button", name="Cancel the session")).to_have_count(0)

    with page.expect_navigation():
        page.select_option("#language-select", "sv")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
