"""The meeting screen on a projector, a tablet and a phone: no sideways scrolling, one contact
at a time with [ and ], the contact index with each contact's state, the progress board as
cards and the top navigation folded into a menu on the phone."""

import re

import pytest

from e2e.browser import SCREENSHOTS, log_in
from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors

SIZES = {"projector": (1280, 720), "tablet": (1024, 768), "phone": (390, 844)}


def assert_no_sideways_scrolling(page):
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url}: {widths[0]} px wide in {widths[1]} px"


@pytest.mark.parametrize("size", SIZES)
def test_the_meeting_fits_the_screen(page, transactional_db, users, revealed, screenshot, size):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, users[Role.QA_LEAD])
    discussion = f"/sessions/{revealed.pk}/discussion/"
    for query, name in (("", "overview"), ("?contact=1", "contact"), ("?contact=all", "all")):
        page.goto(discussion + query)
        assert_no_sideways_scrolling(page)
        screenshot(page, f"meeting-discussion-{name}-{width}x{height}-en")
    page.goto(discussion + "?anonymous=1&contact=3")
    assert_no_sideways_scrolling(page)
    screenshot(page, f"meeting-discussion-anonymous-{width}x{height}-en")

    # The index stays in view while the contact scrolls.
    page.goto(discussion + "?contact=1")
    page.evaluate(
        "window.scrollTo(0, document.getElementById('contact-index').getBoundingClientRect().top"
        " + window.scrollY + 150)"
    )
    page.wait_for_timeout(100)
    box = page.locator("#contact-index").bounding_box()
    assert -1 <= box["y"] <= 20, box

    page.goto(f"/sessions/{revealed.pk}/")
    assert_no_sideways_scrolling(page)
    board = page.locator(".progress-board")
    if size == "phone":  # one card per evaluator, each contact labelled by its number
        rows = board.locator("tbody tr")
        assert rows.nth(0).evaluate("r => getComputedStyle(r).display") == "block"
        first_cell = rows.nth(0).locator("td").first
        assert first_cell.evaluate("c => getComputedStyle(c, '::before').content") == '"1"'
        assert board.bounding_box()["width"] <= width
    screenshot(page, f"meeting-session-{width}x{height}-en")
    board.screenshot(path=str(SCREENSHOTS / f"meeting-progress-board-{width}x{height}-en.png"))


def test_keyboard_steps_through_the_contacts(page, transactional_db, users, revealed):
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, users[Role.QA_LEAD])
    rows = meeting_selectors.discussion(revealed).contacts
    page.goto(f"/sessions/{revealed.pk}/discussion/?contact=1")
    assert "[" in page.locator(".contact-index .keys").inner_text()  # documented on screen
    page.keyboard.press("]")
    page.wait_for_url(re.compile(r"contact=2$"))
    heading = page.locator(".contact-result h2").inner_text()
    assert heading.startswith(f"2. {rows[1].contact.get_channel_display()}")
    page.keyboard.press("]")
    page.wait_for_url(re.compile(r"contact=3$"))
    page.keyboard.press("[")
    page.wait_for_url(re.compile(r"contact=2$"))
    page.keyboard.press("[")
    page.wait_for_url(re.compile(r"contact=1$"))
    page.keyboard.press("[")
    page.wait_for_url(re.compile(r"discussion/\?$|discussion/$"))
    page.wait_for_selector(".totals-matrix")

    # Typing a bracket in a field types it; the contact stays.
    page.goto(f"/sessions/{revealed.pk}/discussion/?contact=1")
    reason = page.locator("input[name=reason]").first
    reason.fill("")
    reason.type("see [2]")
    assert reason.input_value() == "see [2]"
    assert page.url.endswith("contact=1")
    notes = page.locator("textarea[name=notes]")
    notes.type("]")
    page.wait_for_timeout(300)
    assert page.url.endswith("contact=1")


def test_the_index_shows_each_contact_state(page, transactional_db, users, revealed):
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, users[Role.QA_LEAD])
    rows = meeting_selectors.discussion(revealed).contacts
    number, row = next((n, r) for n, r in enumerate(rows, 1) if r.to_agree)
    page.goto(f"/sessions/{revealed.pk}/discussion/?contact={number}")
    entry = page.locator("#contact-index li").nth(number)  # after the overview
    assert entry.get_attribute("class") == "open"
    assert "open" in entry.inner_text()
    assert page.locator("#contact-index a[aria-current=page]").inner_text().startswith(str(number))
    page.evaluate("window.__stillHere = true")
    for item in row.to_agree:
        form = page.locator(f"#c-{row.session_contact.pk}-{item.criterion.pk} form.agree-form")
        form.get_by_role("button", name="Save").click()
        page.locator(
            f"#c-{row.session_contact.pk}-{item.criterion.pk} .agree-form span.muted",
            has_text="agreed",
        ).wait_for()
    entry = page.locator("#contact-index li").nth(number)
    page.wait_for_function(
        f"() => document.querySelectorAll('#contact-index li')[{number}].className === 'agreed'"
    )
    assert "agreed" in entry.inner_text()
    assert page.evaluate("window.__stillHere === true")  # redrawn in place
    # Agreed contacts show their agreed score in the index.
    score = f"{rows[number - 1].session_contact.agreed_score:.1f}"
    assert score in entry.inner_text()


def test_the_navigation_folds_into_a_menu_on_the_phone(page, transactional_db, users, revealed):
    log_in(page, users[Role.QA_LEAD])
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"/sessions/{revealed.pk}/")
    assert page.locator(".mainnav").is_visible()
    assert not page.locator(".navmenu").is_visible()
    page.set_viewport_size({"width": 1280, "height": 720})  # the projector: one row, a menu
    assert page.locator(".navmenu").is_visible()
    assert page.locator(".topbar").bounding_box()["height"] < 70

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/sessions/{revealed.pk}/")
    assert not page.locator(".mainnav").is_visible()
    menu = page.locator(".navmenu")
    assert menu.is_visible()
    assert page.locator(".topbar").bounding_box()["height"] < 120  # two rows at most
    assert not page.get_by_role("link", name="Contacts").is_visible()
    menu.locator("summary").click()
    page.get_by_role("link", name="Contacts").click()
    page.wait_for_url("**/contacts/**")
    assert_no_sideways_scrolling(page)

    # The contact index is a compact bar on the phone that stays at the top.
    page.goto(f"/sessions/{revealed.pk}/discussion/?contact=2")
    bar = page.locator("#contact-index")
    assert bar.bounding_box()["height"] < 90
    page.mouse.wheel(0, 1200)
    page.wait_for_function("() => window.scrollY > 200")
    assert abs(bar.bounding_box()["y"]) < 2
    bar.get_by_role("link", name=re.compile(r"^3\b")).click()
    page.wait_for_url(re.compile(r"contact=3$"))


def test_show_all_prints_without_the_controls(page, transactional_db, users, revealed):
    log_in(page, users[Role.QA_LEAD])
    page.goto(f"/sessions/{revealed.pk}/discussion/?contact=all")
    assert page.locator(".contact-result").count() == 6
    assert page.get_by_role("button", name="Print").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("#contact-index").is_visible()
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    assert page.locator(".contact-result").first.is_visible()
