from playwright.sync_api import expect

from e2e.browser import log_in
from qalibrate.accounts.models import Role
from qalibrate.demo.scorecards import build_scorecards
from qalibrate.scorecards.models import Scorecard


def test_builder_preview_review_and_changes(page, transactional_db, users, screenshot):
    lead = users[Role.QA_LEAD]
    build_scorecards(lead=lead, reviewers=[users[Role.AGENT], users[Role.EVALUATOR]])
    call = Scorecard.objects.get(name="Inbound support call")
    log_in(page, lead)

    page.goto("/scorecards/")
    screenshot(page, "scorecards-list-en")

    page.goto(f"/scorecards/versions/{call.draft.pk}/")
    first_section = page.locator(".builder-section h2").first
    assert "Opening" in first_section.inner_text()
    # Reorder in place with htmx: the page is not reloaded, the list is redrawn.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Move section Opening down").click()
    expect(page.locator(".builder-section h2").first).to_contain_text("Understanding")
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "scorecard-builder-en")

    page.goto(f"/scorecards/versions/{call.current_version.pk}/preview/")
    page.get_by_text("Yes", exact=True).first.click()
    page.wait_for_selector("#live-score .score-value:not(.muted)")
    assert page.locator("#live-score .score-value").inner_text().startswith("100")
    page.locator("fieldset").nth(1).get_by_text("No", exact=True).click()
    expect(page.locator("#live-score")).to_contain_text("whole evaluation scores 0")
    screenshot(page, "scorecard-preview-en")

    page.goto(f"/scorecards/versions/{call.draft.pk}/review/")
    screenshot(page, "scorecard-review-en")
    page.goto(f"/scorecards/{call.pk}/changes/?old=1&new=2")
    assert "two identifiers" in page.content()
    screenshot(page, "scorecard-diff-en")


def test_criterion_form_shows_only_the_fields_of_its_kind(
    page, transactional_db, users, screenshot
):
    lead = users[Role.QA_LEAD]
    build_scorecards(lead=lead, reviewers=[users[Role.AGENT], users[Role.EVALUATOR]])
    section = Scorecard.objects.get(name="Chat and e-mail").current_version.sections.first()
    from qalibrate.scorecards import services

    draft = services.draft_start(scorecard=section.version.scorecard, user=lead)
    log_in(page, lead)
    page.goto(f"/scorecards/sections/{draft.sections.first().pk}/criteria/add/")
    assert page.locator("#id_options_text").is_hidden()
    page.select_option("#id_kind", "options")
    assert page.locator("#id_options_text").is_visible()
    assert page.locator("#id_points").is_hidden()
    screenshot(page, "criterion-form-en")


def test_scorecard_pages_in_russian_and_swedish(page, transactional_db, users, screenshot):
    lead = users[Role.QA_LEAD]
    build_scorecards(lead=lead, reviewers=[users[Role.AGENT], users[Role.EVALUATOR]])
    call = Scorecard.objects.get(name="Inbound support call")
    for language, heading in [("ru", "Формы оценки"), ("sv", "Monitoreringsformulär")]:
        lead.language = language
        lead.save()
        log_in(page, lead)
        page.goto("/scorecards/")
        assert page.locator("h1").inner_text() == heading
        screenshot(page, f"scorecards-list-{language}")
        for name, url in [
            ("builder", f"/scorecards/versions/{call.draft.pk}/"),
            ("preview", f"/scorecards/versions/{call.current_version.pk}/preview/"),
            ("review", f"/scorecards/versions/{call.draft.pk}/review/"),
            ("diff", f"/scorecards/{call.pk}/changes/?old=1&new=2"),
        ]:
            page.goto(url)
            screenshot(page, f"scorecard-{name}-{language}")
        page.goto(f"/scorecards/versions/{call.draft.pk}/publish/")
        screenshot(page, f"scorecard-publish-{language}")
        page.locator(".usermenu summary").click()
        page.locator(".usermenu button[type=submit]").click()
        page.wait_for_url("**/accounts/login/")
