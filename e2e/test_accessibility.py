"""axe-core over the main pages of each role, in a real browser, on the demo organisation: no
critical or serious violation of the WCAG 2.x A and AA rules. And what axe cannot see: the sticky
score bar never hides the field that has the focus.

axe-core comes from the PyPI wheel axe-playwright-python, which bundles axe.min.js (no npm, no
network): the test suite still needs nothing but Python."""

import os
from importlib.resources import files

import pytest

from e2e.browser import SCREENSHOTS, log_in
from qalibrate.accounts.models import Agent, Role, User
from qalibrate.calibration import services
from qalibrate.calibration.models import CalibrationSession, SessionStatus
from qalibrate.contacts.models import Contact
from qalibrate.demo.builder import build_demo
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.scorecards.models import ScorecardVersion, VersionStatus

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"critical", "serious"}
SIZES = {"desktop": (1366, 800), "tablet": (1024, 768), "phone": (390, 844)}
ROLES = {
    Role.ADMIN: "admin",
    Role.QA_LEAD: "maria.lindqvist",
    Role.EVALUATOR: "james.cole",
    Role.AGENT: "emma.clarke",
}


@pytest.fixture(scope="session")
def axe_script():
    try:
        return files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        message = "axe-core is missing: pip install axe-playwright-python (the test extra)"
        if os.environ.get("CI"):
            pytest.fail(f"the accessibility run may not be skipped in CI: {message}")
        pytest.skip(message)


def axe_violations(page, axe_script) -> list[dict]:
    """The critical and serious WCAG A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(url, violations) -> list[str]:
    return [
        f"{url}: {v['impact']} {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in violations
    ]


@pytest.fixture
def demo(transactional_db):
    build_demo()
    # In English, so that a failure reads the same for everyone.
    User.objects.update(language="en")


def open_page(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status}"
    if url.startswith("/api/docs/redoc/"):
        page.wait_for_selector(".api-content .redoc-json")
    elif url.startswith("/api/docs/"):
        page.wait_for_selector("#swagger-ui .opblock")
    page.wait_for_load_state("networkidle")


def pages_of(role) -> list[str]:
    """The main pages this role works with, found in the demo data."""
    completed = CalibrationSession.objects.filter(status=SessionStatus.COMPLETED).first()
    scoring = CalibrationSession.objects.filter(status=SessionStatus.SCORING).first()
    # Contacts of the user's own teams: the others answer 404 to them.
    visible = Contact.objects.visible_to(User.objects.get(username=ROLES[role]))
    with_recording = visible.exclude(media="").first()
    without_recording = visible.filter(media="", channel="call").exclude(transcript=[])
    common = ["/", "/notifications/", "/accounts/preferences/", "/api/docs/", "/api/docs/redoc/"]
    if role == Role.AGENT:
        own = Contact.objects.filter(agent__user__username=ROLES[role])
        shared = CalibrationSession.objects.filter(
            status=SessionStatus.COMPLETED,
            share_with_agents=True,
            session_contacts__contact__agent__user__username=ROLES[role],
        ).first()
        return [
            *common,
            "/contacts/",
            f"/contacts/{own.first().pk}/",
            "/sessions/",
            f"/sessions/{shared.pk}/",
            "/evaluations/",
        ]
    pages = [
        *common,
        "/contacts/",
        f"/contacts/{with_recording.pk}/",
        f"/contacts/{without_recording.first().pk}/",
        "/sessions/",
        "/evaluations/",
        "/scorecards/",
    ]
    if role == Role.EVALUATOR:
        draft = Evaluation.objects.filter(
            evaluator__username=ROLES[role], status=EvaluationStatus.DRAFT, session=scoring
        ).first()
        return [*pages, f"/sessions/{scoring.pk}/", f"/evaluations/{draft.pk}/"]
    draft_version = ScorecardVersion.objects.filter(status=VersionStatus.DRAFT).first()
    return [
        *pages,
        f"/sessions/{scoring.pk}/",
        f"/sessions/{completed.pk}/",
        f"/sessions/{completed.pk}/discussion/",
        f"/reports/sessions/{completed.pk}/",
        f"/scorecards/versions/{draft_version.pk}/",
        "/sessions/plan/",
        "/sessions/actions/",
        # Refused (the session is completed): back on the session page with a message.
        f"/sessions/{completed.pk}/complete/",
    ]


def give_the_agent_a_shared_result():
    """The demo's agents with a login have no contact in a completed session: one of the
    completed session's agents gets emma.clarke's login, so her results page is checked."""
    completed = CalibrationSession.objects.filter(
        status=SessionStatus.COMPLETED, share_with_agents=True
    ).first()
    agent = Agent.objects.filter(contacts__sessioncontact__session=completed).first()
    Agent.objects.filter(user__username=ROLES[Role.AGENT]).update(user=None)
    agent.user = User.objects.get(username=ROLES[Role.AGENT])
    agent.save(update_fields=["user"])


@pytest.mark.parametrize("role", list(ROLES), ids=[r.value for r in ROLES])
def test_main_pages_have_no_serious_violations(page, demo, axe_script, role):
    if role == Role.AGENT:
        give_the_agent_a_shared_result()
    urls = pages_of(role)
    if role == Role.QA_LEAD:
        # A session in discussion: the meeting screen and the Complete page.
        scoring = CalibrationSession.objects.filter(status=SessionStatus.SCORING).last()
        lead = User.objects.get(username=ROLES[role])
        services.session_move(session=scoring, user=lead, action="reveal")
        urls += [f"/sessions/{scoring.pk}/discussion/", f"/sessions/{scoring.pk}/complete/"]
    log_in(page, ROLES[role])
    # The Content-Security-Policy allows only this server's script files: a page that still
    # needed an inline script, handler or eval would say so in the console. (Redoc's logo from
    # its makers' server is refused too, as it should be: nothing loads from elsewhere.)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text and "script-src" in message.text
            else None
        ),
    )
    problems = []
    for url in urls:
        open_page(page, url)
        problems += describe(url, axe_violations(page, axe_script))
    assert not problems, "\n".join(problems)
    assert not refused, "\n".join(refused)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_score_bar_never_hides_the_focused_answer(browser, live_server, demo, size):
    """WCAG 2.2, 2.4.11: going back with Shift+Tab, the focused field is never under the sticky
    "Score so far" bar."""
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url
    )
    page = context.new_page()
    draft = Evaluation.objects.filter(
        evaluator__username=ROLES[Role.EVALUATOR],
        status=EvaluationStatus.DRAFT,
        session__status=SessionStatus.SCORING,
    ).first()
    log_in(page, ROLES[Role.EVALUATOR])
    open_page(page, f"/evaluations/{draft.pk}/")
    page.locator("#summary").focus()
    hidden, checked = [], 0
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        where = page.evaluate(
            """() => {
              const active = document.activeElement;
              if (!active.closest('.evaluation-form') || active.closest('.score-bar')) return null;
              const field = active.getBoundingClientRect();
              const bar = document.querySelector('.score-bar').getBoundingClientRect();
              return {name: active.name || active.id,
                      top: field.top, bottom: field.bottom, barTop: bar.top, barBottom: bar.bottom};
            }"""
        )
        if where is None:  # out of the answers, into the recording and transcript
            break
        checked += 1
        if where["top"] < where["barBottom"] and where["bottom"] > where["barTop"]:
            hidden.append(where)
    context.close()
    assert checked >= 10 and not hidden, hidden


def test_the_transcript_without_recording_is_reached_by_keyboard(page, demo, axe_script):
    evaluator = ROLES[Role.EVALUATOR]
    contact = (
        Contact.objects.visible_to(User.objects.get(username=evaluator))
        .filter(media="", channel="call")
        .exclude(transcript=[])
        .first()
    )
    log_in(page, evaluator)
    open_page(page, f"/contacts/{contact.pk}/")
    region = page.get_by_role("region", name="Transcript")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('transcript-scroll')")
    page.keyboard.press("PageDown")  # a keyboard scrolls it, when it is taller than its box
    assert not describe(contact.pk, axe_violations(page, axe_script))


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_the_pages_changed(browser, live_server, demo, screenshot, size):
    """The API docs, the Complete page and the contact page at each size: nothing sideways on a
    phone, and each checkbox of the Complete page on its label's line."""
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, base_url=live_server.url
    )
    page = context.new_page()
    lead = User.objects.get(username=ROLES[Role.QA_LEAD])
    scoring = CalibrationSession.objects.filter(status=SessionStatus.SCORING).last()
    services.session_move(session=scoring, user=lead, action="reveal")
    without_recording = (
        Contact.objects.filter(media="", channel="call").exclude(transcript=[]).first()
    )
    with_recording = Contact.objects.exclude(media="").first()
    log_in(page, lead.username)
    shots = {
        "api-docs": "/api/docs/",
        "api-redoc": "/api/docs/redoc/",
        "complete": f"/sessions/{scoring.pk}/complete/",
        "contact-transcript": f"/contacts/{without_recording.pk}/",
        "contact-recording": f"/contacts/{with_recording.pk}/",
    }
    for name, url in shots.items():
        open_page(page, url)
        if name == "complete":
            for field in ("agreed_becomes_official", "share_with_agents"):
                box = page.locator(f"#id_{field}").bounding_box()
                label = page.locator(f"label[for=id_{field}]").bounding_box()
                assert box["x"] + box["width"] <= label["x"], field  # before the label
                assert label["y"] <= box["y"] + box["height"] / 2 <= label["y"] + label["height"]
        if not name.startswith("api"):  # the docs are Swagger's and Redoc's own layout
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if name == "api-redoc":  # one screen of it: the whole reference is 40,000 pixels
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"a11y-{name}-{size}.png"))
        else:
            screenshot(page, f"a11y-{name}-{size}")
    context.close()
