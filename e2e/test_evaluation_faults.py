"""The evaluation screen when a save goes astray: a save that reached the server but whose
response was lost, and a save from another window in between. No typed answer is lost."""

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.evaluations.models import Evaluation
from tests.factories import ContactFactory, build_scorecard

from .test_evaluation import choose, settle


def open_evaluation(page, users):
    """The evaluator opens a new evaluation of a chat; returns its URL."""
    build_scorecard(users[Role.QA_LEAD], publish=True)
    contact = ContactFactory(
        agent=users[Role.AGENT].agent_profile,
        channel="chat",
        subject="Delivery delay",
        transcript=[{"t": 0, "speaker": "customer", "text": "Where is my parcel?"}],
    )
    log_in(page, users[Role.EVALUATOR])
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("button", name="Evaluate").click()
    page.wait_for_selector("#evaluation-form")
    return page.url


def wait_for_status(page, start):
    page.wait_for_function(
        f"() => document.getElementById('save-status').innerText.startsWith({start!r})"
    )


def is_chosen(page, criterion_text, value):
    fieldset = page.locator("fieldset.criterion", has_text=criterion_text)
    return fieldset.locator(f"input[value='{value}']").is_checked()


def comment_box(page, criterion_text):
    return page.locator("fieldset.criterion", has_text=criterion_text).locator(
        "textarea[name$=_comment]"
    )


def answers(evaluation):
    """The stored answers that say something (every save stores a row for every criterion)."""
    return {
        a.criterion.text: (a.value, a.comment)
        for a in evaluation.answers.select_related("criterion")
        if a.value or a.comment
    }


def test_answers_of_a_save_whose_response_was_lost_survive_a_reload(page, transactional_db, users):
    open_evaluation(page, users)
    evaluation = Evaluation.objects.get()

    # Every save reaches the server, but its response is lost on the way back.
    statuses = []

    def drop_response(route):
        statuses.append(route.fetch().status)
        route.abort()

    page.route("**/save/", drop_response)
    comment_box(page, "Greets with own name").fill("Warm greeting")
    choose(page, "Greets with own name", "yes")
    wait_for_status(page, "Not saved")
    assert statuses == [200]  # stored, though the page never heard so

    # More answers: their saves carry the revision the page still knows, which is stale now.
    choose(page, "Verifies identity", "no")
    choose(page, "Understands the need", "4")
    page.fill("#summary", "Calm and quick")
    page.wait_for_function(
        "() => document.getElementById('save-status').className.includes('busy')"
    )
    wait_for_status(page, "Not saved")
    assert statuses[0] == 200 and set(statuses[1:]) == {409}

    page.unroute("**/save/")
    page.reload()
    settle(page)
    assert answers(evaluation) == {
        "Greets with own name": ("yes", "Warm greeting"),
        "Verifies identity": ("no", ""),
        "Understands the need": ("4", ""),
    }
    evaluation.refresh_from_db()
    assert evaluation.summary == "Calm and quick"
    assert "error" not in page.locator("#save-status").get_attribute("class")

    page.reload()  # what the server has, and nothing left over in the browser
    assert page.locator("#save-status").inner_text() == "All answers are saved."
    assert is_chosen(page, "Greets with own name", "yes")
    assert is_chosen(page, "Verifies identity", "no")
    assert is_chosen(page, "Understands the need", "4")
    assert comment_box(page, "Greets with own name").input_value() == "Warm greeting"
    assert page.input_value("#summary") == "Calm and quick"


def test_a_save_from_another_window_is_merged_field_by_field(
    page, browser, live_server, transactional_db, users
):
    url = open_evaluation(page, users)
    evaluation = Evaluation.objects.get()
    choose(page, "Greets with own name", "yes")
    wait_for_status(page, "Saved at")

    # The same evaluator, in another window, changes that answer and adds others.
    other = browser.new_context(base_url=live_server.url)
    try:
        second = other.new_page()
        log_in(second, users[Role.EVALUATOR])
        second.goto(url)
        choose(second, "Greets with own name", "no")
        choose(second, "Verifies identity", "no")
        comment_box(second, "Understands the need").fill("From the second window")
        wait_for_status(second, "Saved at")
    finally:
        other.close()

    # The first window, still on the older revision, changes another answer: refused as stale,
    # it takes the other window's answers and saves its own change on top.
    choose(page, "Understands the need", "4")
    wait_for_status(page, "This evaluation was also saved elsewhere")
    settle(page)
    assert "ok" in page.locator("#save-status").get_attribute("class")
    assert answers(evaluation) == {
        "Greets with own name": ("no", ""),
        "Verifies identity": ("no", ""),
        "Understands the need": ("4", "From the second window"),
    }
    assert is_chosen(page, "Greets with own name", "no")
    assert is_chosen(page, "Verifies identity", "no")
    assert comment_box(page, "Understands the need").input_value() == "From the second window"
