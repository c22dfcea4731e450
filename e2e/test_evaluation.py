"""The evaluation screen in a real browser: answers survive reloads and dropped connections."""

import json

from django.core.files import File

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.demo.builder import DATA_DIR, load_recordings
from qalibrate.evaluations.models import Evaluation
from tests.factories import ContactFactory, build_scorecard


def recorded_call(agent):
    recording = load_recordings()[0]
    contact = ContactFactory(
        agent=agent,
        channel="call",
        transcript=recording["turns"],
        duration_seconds=round(recording["duration_seconds"]),
        subject="Billing question",
    )
    with open(DATA_DIR / "audio" / recording["file"], "rb") as audio:
        contact.media.save(recording["file"], File(audio))
    return contact


def settle(page):
    """Let the screen's saves finish before the test reads the database (SQLite in memory is
    shared with the live server's thread, and concurrent access would lock it)."""
    page.wait_for_selector("#save-status")
    page.wait_for_timeout(4000)
    page.wait_for_function(
        "() => !['Saving', 'Changes not', 'Restored'].some(t => "
        "document.getElementById('save-status').innerText.startsWith(t))"
    )


def choose(page, criterion_text, value):
    """Click the answer's pill, as a person does (value: yes, no, 4, an option's label)."""
    fieldset = page.locator("fieldset.criterion", has_text=criterion_text)
    fieldset.locator("label.choice", has=page.locator(f"input[value='{value}']")).click()


def test_answers_survive_a_reload_and_a_dropped_connection(
    page, transactional_db, users, screenshot
):
    version = build_scorecard(users[Role.QA_LEAD], publish=True).current_version
    contact = recorded_call(users[Role.AGENT].agent_profile)
    log_in(page, users[Role.EVALUATOR])
    page.goto(f"/contacts/{contact.pk}/")
    screenshot(page, "contact-detail-call-en")
    page.get_by_role("button", name="Evaluate").click()
    page.wait_for_selector("#evaluation-form")
    evaluation = Evaluation.objects.get()

    choose(page, "Greets with own name", "yes")
    choose(page, "Understands the need", "4")
    page.fill(f"#c{version.sections.first().criteria.first().pk}_comment", "Warm, clear greeting")
    page.wait_for_function(
        "() => document.getElementById('save-status').innerText.startsWith('Saved at')"
    )
    page.reload()
    assert (
        page.locator("fieldset.criterion", has_text="Greets with own name")
        .locator("input[value=yes]")
        .is_checked()
    )
    assert (
        page.locator("fieldset.criterion", has_text="Understands the need")
        .locator("input[value='4']")
        .is_checked()
    )
    assert "Warm, clear greeting" in page.content()

    # The connection drops: the screen says so, and the answer stays in the browser.
    page.context.set_offline(True)
    choose(page, "Verifies identity", "no")
    page.wait_for_function(
        "() => document.getElementById('save-status').innerText.startsWith('Not saved')"
    )
    screenshot(page, "evaluation-offline-en")
    assert not evaluation.answers.filter(criterion__text="Verifies identity", value="no").exists()
    page.context.set_offline(False)
    # Reloading sends the kept answer on leaving (beacon) or restores it from the browser's
    # storage after the reload; either way it reaches the server.
    page.reload()
    settle(page)
    assert evaluation.answers.get(criterion__text="Verifies identity").value == "no"
    page.reload()
    assert (
        page.locator("fieldset.criterion", has_text="Verifies identity")
        .locator("input[value=no]")
        .is_checked()
    )
    assert page.locator("#live-score-value").inner_text() == "0.0"

    # The tab is closed while still offline: nothing could be sent, the browser kept it.
    page.context.set_offline(True)
    choose(page, "Greets with own name", "no")
    page.wait_for_function(
        "() => document.getElementById('save-status').innerText.startsWith('Not saved')"
    )
    url = page.url
    page.goto("about:blank")
    page.context.set_offline(False)
    page.goto(url)
    settle(page)
    assert evaluation.answers.get(criterion__text="Greets with own name").value == "no"
    page.reload()  # a beacon queued while offline may land late: start from the newest revision

    # A comment tied to the moment in the recording.
    page.evaluate("document.getElementById('player').currentTime = 7")
    page.locator("fieldset.criterion", has_text="Understands the need").get_by_role(
        "button", name="Comment at the current moment"
    ).click()
    page.keyboard.type("Asked two good questions here")
    page.wait_for_function(
        "() => document.getElementById('save-status').innerText.startsWith('Saved at')"
    )
    answer = evaluation.answers.get(criterion__text="Understands the need")
    assert answer.media_timestamp == 7 and answer.comment == "Asked two good questions here"
    screenshot(page, "evaluation-call-en")


def test_chat_evaluation_screen_and_submit(page, transactional_db, users, screenshot):
    build_scorecard(users[Role.QA_LEAD], publish=True)
    contact = ContactFactory(
        agent=users[Role.AGENT].agent_profile,
        channel="chat",
        subject="Delivery delay",
        transcript=[
            {"t": 0, "speaker": "customer", "text": "Where is my parcel?"},
            {"t": 40, "speaker": "agent", "text": "Hi! Let me check that for you."},
        ],
    )
    log_in(page, users[Role.EVALUATOR])
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("button", name="Evaluate").click()
    page.wait_for_selector("#evaluation-form")
    choose(page, "Greets with own name", "yes")
    page.get_by_role("button", name="Submit evaluation").click()
    assert "Answer “Verifies identity”." in page.locator(".alert").inner_text()
    assert (
        page.locator("fieldset.criterion", has_text="Greets with own name")
        .locator("input[value=yes]")
        .is_checked()
    )
    screenshot(page, "evaluation-chat-missing-en")
    choose(page, "Verifies identity", "yes")
    choose(page, "Understands the need", "5")
    choose(page, "Information is correct", "Correct")
    page.get_by_role("button", name="Submit evaluation").click()
    page.wait_for_selector(".score-big")
    assert page.locator(".score-big").inner_text().startswith("100")
    assert json.loads(json.dumps(Evaluation.objects.get().status)) == "submitted"


def test_contact_list_screenshot(page, transactional_db, users, screenshot):
    ContactFactory.create_batch(8, agent=users[Role.AGENT].agent_profile, channel="chat")
    log_in(page, users[Role.QA_LEAD])
    page.goto("/contacts/")
    screenshot(page, "contact-list-en")
