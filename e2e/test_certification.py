"""Gold-set certification in a real browser: a QA lead starts one, the new evaluator scores the
gold contacts from their home page as the team agreed and is certified; ru and sv too."""

import random

from playwright.sync_api import expect

from e2e.browser import log_in
from e2e.test_evaluation import choose
from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration
from qalibrate.calibration.models import AgreedAnswer
from qalibrate.certification import services
from qalibrate.certification.models import Certification, CertificationStatus
from qalibrate.evaluations.models import Evaluation
from tests.factories import UserFactory


def answer_as_agreed(page, evaluation_id):
    evaluation = Evaluation.objects.select_related("gold_attempt").get(pk=evaluation_id)
    agreed = AgreedAnswer.objects.filter(
        session_contact=evaluation.gold_attempt.gold
    ).select_related("criterion")
    for answer in agreed:
        choose(page, answer.criterion.text, "na" if answer.is_na else answer.value)


def test_a_new_evaluator_is_certified_from_the_gold_set(
    page, users, team, second_round, monkeypatch, screenshot
):
    monkeypatch.setattr(services, "order_random", random.Random(4))
    lead = users[Role.QA_LEAD]
    calibration.session_complete(session=second_round, user=lead, summary="Round two")
    newcomer = UserFactory(username="newcomer", role=Role.EVALUATOR)
    newcomer.teams.add(team)

    log_in(page, lead)
    page.goto("/double-scoring/")
    page.get_by_role("link", name="Gold-set certification").click()
    page.get_by_role("link", name="Start a certification").click()
    page.get_by_label("Evaluator").select_option(str(newcomer.pk))
    page.get_by_label("Team").select_option(str(team.pk))
    page.get_by_label("Scorecard").select_option(str(second_round.version.scorecard_id))
    page.get_by_role("button", name="Start the certification").click()
    expect(page.get_by_text("The certification has started")).to_be_visible()
    certification = Certification.objects.get()

    log_in(page, newcomer)
    expect(page.get_by_role("heading", name="Certification")).to_be_visible()
    page.get_by_role("button", name="Score the next gold contact").click()
    for number in range(5):
        expect(page.get_by_text("Gold contact (certification)")).to_be_visible()
        if number == 0:
            screenshot(page, "certification-gold-contact")
        answer_as_agreed(page, int(page.url.rstrip("/").split("/")[-1]))
        page.get_by_role("button", name="Submit evaluation").click()
        certification.refresh_from_db()
        if certification.in_progress:
            page.get_by_role("button", name="Score the next gold contact").click()
    assert certification.status == CertificationStatus.CERTIFIED

    page.goto(f"/certification/{certification.pk}/")
    expect(page.locator(".badge.certification-certified")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Agreed score")).to_be_visible()
    screenshot(page, "certification-detail-en")
    log_in(page, lead)
    page.goto(f"/certification/{certification.pk}/")
    for language, heading in [("ru", "Сертификация"), ("sv", "Certifiering")]:
        with page.expect_navigation():
            page.select_option("#language-select", language)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        screenshot(page, f"certification-detail-{language}")
