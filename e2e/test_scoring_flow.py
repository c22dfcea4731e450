"""Scoring that flows, in a real browser on the demo: an evaluator starts from their home page and
scores a whole calibration session, each Submit opening the next contact, until the session page
says all are scored. Nothing is sent after Submit (it used to send a save the server refused)."""

import logging
import re

import pytest
from django.core.signals import request_started

from e2e.browser import log_in
from qalibrate.accounts.models import User
from qalibrate.calibration.models import CalibrationSession
from qalibrate.demo.builder import build_demo
from qalibrate.evaluations.models import Evaluation

SIZES = {"desktop": (1366, 800), "tablet": (1024, 768), "phone": (390, 844)}


def at_three_sizes(page, screenshot, name):
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 0, f"{name} scrolls sideways at {size}"
        screenshot(page, f"flow-{name}-{size}-en")
    page.set_viewport_size({"width": 1366, "height": 800})


def answer_everything(page):
    """The first answer of every scored criterion, clicked as a person does."""
    for fieldset in page.locator("fieldset.criterion").all():
        choices = fieldset.locator("label.choice:not(.na)")
        if choices.count():
            choices.first.click()


class Network:
    """Every request the page makes, with the status it got, in order."""

    def __init__(self, page):
        self.seen: list[dict] = []
        page.context.on("request", self._request)
        page.context.on("response", self._response)

    def _request(self, request):
        self.seen.append({"method": request.method, "url": request.url, "status": None})

    def _response(self, response):
        for entry in reversed(self.seen):
            if entry["url"] == response.url and entry["status"] is None:
                entry["status"] = response.status
                break

    def mark(self) -> int:
        return len(self.seen)

    def since(self, mark: int) -> list[dict]:
        return self.seen[mark:]


class ServerLog(logging.Handler):
    """What the live server received, and the requests it answered with an error (Django logs
    each 4xx and 5xx on "django.request"). Recorded on the server because a beacon sent while a
    page unloads never shows among the browser's network events."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.received: list[str] = []
        self.errors: list[tuple[int, str]] = []

    def started(self, sender, environ, **kwargs):
        self.received.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")

    def emit(self, record):
        request = getattr(record, "request", None)
        self.errors.append((getattr(record, "status_code", 0), getattr(request, "path", "")))


@pytest.fixture
def server_log():
    log = ServerLog()
    request_started.connect(log.started, weak=False, dispatch_uid="scoring-flow")
    logging.getLogger("django.request").addHandler(log)
    yield log
    logging.getLogger("django.request").removeHandler(log)
    request_started.disconnect(dispatch_uid="scoring-flow")


def test_an_evaluator_scores_a_whole_session_from_home(
    page, transactional_db, screenshot, server_log
):
    build_demo()
    scoring = CalibrationSession.objects.get(title="Customer support: calls, week 48")
    total = scoring.session_contacts.count()

    # The home page of an evaluator halfway through, with results of the completed sessions.
    log_in(page, "james.cole")
    home = page.locator("main")
    assert scoring.title in home.inner_text()
    assert f"0 of {total} contacts submitted" in home.inner_text()
    assert "Customer support: calls, week 47" in home.inner_text()  # a completed session
    assert page.locator(".result-figures").count() >= 1
    at_three_sizes(page, screenshot, "evaluator-home")

    # One who has not started: from home, Start, then Submit after Submit.
    karl = User.objects.get(username="karl.nyberg")
    karl.language = "en"
    karl.save(update_fields=["language"])
    log_in(page, karl.username)
    network = Network(page)
    item = page.locator(".work-item", has_text=scoring.title)
    assert f"0 of {total} contacts submitted" in item.inner_text()
    item.get_by_role("button", name="Start scoring").click()
    for number in range(1, total + 1):
        page.wait_for_selector("#evaluation-form")
        flow = page.locator(".session-flow").inner_text()
        assert f"Contact {number} of {total}" in flow and scoring.title in flow
        assert "Evaluation: draft" in page.locator("h1").inner_text()
        answer_everything(page)
        if number == 3:
            at_three_sizes(page, screenshot, "evaluation-screen")
        before = page.url
        mark, received, errors = network.mark(), len(server_log.received), len(server_log.errors)
        page.get_by_role("button", name="Submit evaluation").click()
        page.wait_for_url(lambda url, before=before: url != before)
        page.wait_for_load_state("load")
        page.wait_for_timeout(800)  # time for anything the old page might still send
        sent = network.since(mark)
        assert not [r for r in sent if r["status"] == 400], sent
        assert [r["method"] for r in sent if "/submit/" in r["url"]] == ["POST"]
        after_submit = server_log.received[received:]
        assert not [r for r in after_submit if "/save/" in r], after_submit
        assert server_log.errors[errors:] == []

    # Done: the session page says so and shows every contact as submitted, to view.
    assert re.search(rf"/sessions/{scoring.pk}/$", page.url)
    assert (
        "You have scored every contact in this session." in page.locator(".messages").inner_text()
    )
    contacts = page.locator(".session-contacts")
    assert contacts.get_by_text("Submitted", exact=True).count() == total
    assert contacts.get_by_role("link", name="View").count() == total
    assert Evaluation.objects.filter(
        evaluator=karl, session=scoring, status="submitted"
    ).count() == (total)
    at_three_sizes(page, screenshot, "session-page")

    # The submitted screen leads back to the session; previous and next still move.
    contacts.get_by_role("link", name="View").nth(1).click()
    page.wait_for_selector(".score-big")
    assert "Evaluation: submitted" in page.locator("h1").inner_text()
    assert f"Contact 2 of {total}" in page.locator(".session-flow").inner_text()
    page.get_by_role("button", name="Next contact").click()
    page.wait_for_function(
        f"() => document.querySelector('.session-flow').innerText.includes('Contact 3 of {total}')"
    )
    page.get_by_role("link", name="Back to the session").click()
    page.wait_for_url(f"**/sessions/{scoring.pk}/")


def test_previous_and_next_on_the_screen_keep_the_answers(page, transactional_db):
    build_demo()
    scoring = CalibrationSession.objects.get(title="Customer support: calls, week 48")
    log_in(page, "james.cole")  # has drafts on contacts 1 and 2
    page.locator(".work-item", has_text=scoring.title).get_by_role(
        "button", name="Continue scoring"
    ).click()
    page.wait_for_selector("#evaluation-form")
    assert "Contact 1 of" in page.locator(".session-flow").inner_text()
    page.locator("fieldset.criterion").first.locator("label.choice").last.click()
    page.get_by_role("button", name="Next contact").click()  # leaving saves what was changed
    page.wait_for_function(
        "() => document.querySelector('.session-flow').innerText.includes('Contact 2 of')"
    )
    page.get_by_role("button", name="Previous contact").click()
    page.wait_for_function(
        "() => document.querySelector('.session-flow').innerText.includes('Contact 1 of')"
    )
    assert page.locator("fieldset.criterion").first.locator("input[type=radio]").last.is_checked()
    page.goto(f"/sessions/{scoring.pk}/")
    assert page.locator(".session-contacts").get_by_role("button", name="Continue").count() == 2
