"""Planning in few steps: from the QA lead's home page to a planned session of 6 contacts and 3
evaluators, ticking contacts on two pages of the team's list, in at most 12 interactions."""

from e2e.browser import SCREENSHOTS, log_in
from qalibrate.accounts.models import Team, User
from qalibrate.calibration.models import CalibrationSession, ParticipantRole
from qalibrate.contacts.models import Contact
from qalibrate.contacts.views import PAGE_SIZE
from qalibrate.demo.builder import build_demo

MAX_INTERACTIONS = 12
SIZES = [(1366, 800), (1024, 768), (390, 844)]


class Counted:
    """The page's clicks, fills, selects and ticks, each counted as one interaction."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def check(self, locator):
        self.count += 1
        locator.check()

    def select(self, locator, label):
        self.count += 1
        locator.select_option(label=label)


def shoot_sizes(page, screenshot, name, *, scroll_to=None):
    """At each size: no sideways scrolling, and a screenshot. With ``scroll_to``, what the
    viewport shows there (a sticky bar sits where the user sees it), else the whole page."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        sideways = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert sideways <= 1, f"{name} at {width}: {sideways}px sideways"
        if scroll_to is None:
            screenshot(page, f"plan-{name}-{width}")
        else:
            scroll_to.evaluate("e => e.scrollIntoView({block: 'start'})")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"plan-{name}-{width}.png")
    page.set_viewport_size({"width": 1366, "height": 800})


def test_plan_six_contacts_from_two_pages_in_twelve_interactions(
    page, transactional_db, screenshot
):
    build_demo()
    User.objects.filter(username="maria.lindqvist").update(language="en")
    support = Team.objects.get(name="Customer support")
    assert Contact.objects.filter(team=support).count() > PAGE_SIZE  # the flow pages
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, "maria.lindqvist")  # lands on the QA lead's home page
    bar = page.locator("#selection-bar")
    act = Counted(page)

    act.click(page.locator(".mainnav").get_by_role("link", name="Contacts"))
    act.select(page.locator("#id_team"), "Customer support")
    act.click(page.get_by_role("button", name="Filter"))
    page.wait_for_url("**/contacts/?*team=*")
    boxes = page.locator("tbody input[name=contacts]")
    first_page = [boxes.nth(i).get_attribute("value") for i in range(3)]
    for i in range(3):
        act.check(boxes.nth(i))
        page.wait_for_function(  # the tick is saved before the next one
            f"() => document.querySelector('#selection-bar').innerText.includes('{i + 1} contact')"
        )
    act.click(page.get_by_role("link", name="Older"))
    page.wait_for_url("**older=*")
    assert "3 contacts ticked" in bar.inner_text()  # the first page's ticks are kept
    second_page = [boxes.nth(i).get_attribute("value") for i in (0, 2, 4)]
    for n, i in enumerate((0, 2, 4), start=4):
        act.check(boxes.nth(i))
        page.wait_for_function(
            f"() => document.querySelector('#selection-bar').innerText.includes('{n} contacts')"
        )
    assert "6 contacts ticked · Customer support" in bar.inner_text()
    bar.locator("summary").click()  # only for the screenshot: the ticked contacts listed
    shoot_sizes(page, screenshot, "contacts-selection", scroll_to=page.locator(".table-scroll"))
    bar.locator("summary").click()

    act.click(bar.get_by_role("button", name="Plan a session with these 6 contacts"))
    page.wait_for_url("**/sessions/plan/?*")
    assert "6 contacts picked from the list · Customer support" in page.content()
    assert page.locator('label[for=""]').count() == 0
    assert page.locator("input[name=evaluators]:checked").count() == 3
    title = page.locator("#id_title").input_value()
    assert title.startswith("Customer support: ") and ", week " in title
    shoot_sizes(page, screenshot, "form")
    # The precision note follows the form: a fourth evaluator, then back to three.
    assert "With 6 contacts and 3 evaluators" in page.locator("#plan-precision").inner_text()
    extra = page.locator("input[name=evaluators]:not(:checked)").first.element_handle()
    for ticked, count in ((True, 4), (False, 3)):
        extra.set_checked(ticked)
        page.wait_for_function(
            "() => document.querySelector('#plan-precision')"
            f".innerText.includes('6 contacts and {count} evaluators')"
        )
    act.click(page.get_by_role("button", name="Plan the session"))
    page.wait_for_url("**/sessions/*/")

    session = CalibrationSession.objects.get(title=title)
    assert session.team == support
    assert session.version.scorecard.current_version == session.version
    assert sorted(str(sc.contact_id) for sc in session.session_contacts.all()) == sorted(
        first_page + second_page
    )
    evaluators = session.participants.filter(role=ParticipantRole.EVALUATOR)
    assert evaluators.count() == 3
    assert session.meeting_at > session.scoring_deadline
    print(f"Planning took {act.count} interactions (at most {MAX_INTERACTIONS}).")
    assert act.count <= MAX_INTERACTIONS

    # The ticks were used: the contact list starts afresh.
    page.goto("/contacts/")
    assert "0 contacts ticked" in bar.inner_text()
