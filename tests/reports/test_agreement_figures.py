"""The agreement figures of issue 14 on the report page, the discussion page and in the files:
intervals and benchmark words beside the coefficients, the flag that is robust to the kappa
paradox, each evaluator against the reference (Bland-Altman, kappa, AC1), ICC intervals.

The statistics are checked against independent packages (krippendorff, agreement, statsmodels,
pingouin) or worked by hand; the pages and files are checked to show the selector's figures.
"""

import html
import io
import re
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from qalibrate.accounts.models import Role
from qalibrate.agreement import session_figures
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.models import ReferenceMode
from qalibrate.reports.coefficient_words import interval, number, reading
from qalibrate.reports.exports import report_xlsx
from qalibrate.reports.pdf import report_pdf
from qalibrate.reports.selectors import session_report
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.helpers import score_as
from tests.reports.helpers import pingouin_icc_of_totals

EVALUATORS, CONTACTS = 5, 8
GREET, NEED, INFO = "Greets with own name", "Understands the need", "Information is correct"


def design(i: int, j: int) -> dict:
    """Evaluator i's answers on contact j: everyone alike but for three answers.

    Greet: "yes" everywhere but evaluator 0 on contact 0: 95% agreement and alpha 0, the
    kappa paradox. Need: 3 everywhere but evaluator 1's 4 on contact 1. Info: "Correct" on
    contacts 0-3, "Partly" on 4-7, but evaluator 2's "Correct" on contact 5.
    """
    return {
        "greet": "no" if (i, j) == (0, 0) else "yes",
        "need": "4" if (i, j) == (1, 1) else "3",
        "info": "Correct" if j < 4 or (i, j) == (2, 5) else "Partly",
    }


def plan(users, team, version, title="Eight contacts", **extra):
    lead = users[Role.QA_LEAD]
    people = [UserFactory(role=Role.EVALUATOR) for _ in range(EVALUATORS)]
    agents = [AgentFactory(team=team) for _ in range(4)]
    session = services.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=agents[j % 4]) for j in range(CONTACTS)],
        evaluators=people,
        title=title,
        version=version,
        team=team,
        facilitator=lead,
        scoring_deadline=version.published_at + timedelta(days=1),
        meeting_at=version.published_at + timedelta(days=2),
    )
    for field, value in extra.items():
        setattr(session, field, value)
    session.save()
    return session, people


def score_all(users, session, people):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    for j, sc in enumerate(session.session_contacts.order_by("position")):
        for i, person in enumerate(people):
            score_as(person, session, sc.contact, **design(i, j))
    services.session_move(session=session, user=users[Role.QA_LEAD], action="reveal")
    session.refresh_from_db()


@pytest.fixture
def panel(users, team, version):
    """Five evaluators score eight contacts, every one of them (a complete panel)."""
    session, people = plan(users, team, version)
    score_all(users, session, people)
    return session, people


def page_of(client, user, session, name="session_report", query=""):
    client.force_login(user)
    response = client.get(reverse(name, args=[session.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def text_of(fragment: str) -> str:
    """What a reader sees: the tags gone, the spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def block(page: str, marker: str, text: str) -> str:
    """The <tbody> of a criterion's or an evaluator's rows on the report page."""
    for part in page.split(f'<tbody class="{marker}">')[1:]:
        part = part.split("</section>")[0]  # the last one: up to the end of its card
        if text in part:
            return part
    raise AssertionError(f"no {marker} block holds {text!r}")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def figures_of(result, text):
    return next(row for row in result.criteria if row.criterion.text == text)


# -- The flag that the kappa paradox does not fool ---------------------------------------------


@pytest.mark.slow
def test_a_yes_no_criterion_answered_yes_but_once_is_not_flagged(client, users, panel):
    import krippendorff
    from agreement.metrics import gwets_gamma

    session, _people = panel
    greet = figures_of(meeting_selectors.discussion(session), GREET)
    # 8 contacts × 5 answers, one "no": 7 contacts agree fully, one in 6 of its 10 pairs.
    assert greet.agreement == pytest.approx((7 + 6 / 10) / 8)  # 0.95
    answers = np.ones((EVALUATORS, CONTACTS))  # raters × units, 1 = yes
    answers[0, 0] = 0
    alpha = krippendorff.alpha(reliability_data=answers, level_of_measurement="nominal")
    assert alpha == pytest.approx(0, abs=1e-12)
    assert greet.figures.alpha == pytest.approx(alpha, abs=1e-9)
    counts = np.column_stack([answers.sum(axis=0), EVALUATORS - answers.sum(axis=0)])
    assert greet.figures.ac1 == pytest.approx(gwets_gamma(counts), abs=1e-9)  # 0.947
    assert greet.figures.ac1 > 0.9
    assert not greet.low_agreement

    page = page_of(client, users[Role.QA_LEAD], session)
    row = block(page, "criterion-rows", GREET)
    assert "low agreement" not in row


@pytest.mark.slow
def test_an_ordered_criterion_with_low_alpha_but_high_ac2_is_not_flagged(client, users, panel):
    session, _people = panel
    need = figures_of(meeting_selectors.discussion(session), NEED)
    # 3 everywhere but one 4: alpha 0 (the same paradox as above), AC2 near 1.
    assert need.figures.alpha == pytest.approx(0, abs=1e-9)
    assert need.figures.ac1 > 0.9 and need.low_only_by_chance_correction
    assert not need.low_agreement
    row = text_of(block(page_of(client, users[Role.QA_LEAD], session), "criterion-rows", NEED))
    assert "alpha 0.00" in row and "nearly every answer the same" in row
    assert "low agreement" not in row


@pytest.mark.slow
def test_the_report_shows_the_interval_and_the_words(client, users, panel):
    session, _people = panel
    page = page_of(client, users[Role.QA_LEAD], session)
    for text, name in ((GREET, "AC1"), (INFO, "alpha")):
        main = figures_of(meeting_selectors.discussion(session), text).flag_coefficient
        row = text_of(block(page, "criterion-rows", text))
        shown = row.split("All coefficients")[0]
        assert f"{name} {number(main.value)}" in shown
        assert interval(main) and interval(main) in shown
        words = reading(main)  # Gwet's benchmark of the value with its standard error
        assert "probability" in words and words in shown
        # Every coefficient of the family, in a <details> closed until opened.
        assert '<details class="figures-details">' in block(page, "criterion-rows", text)
        details = row.split("All coefficients")[1]
        for name_shown in (
            "Gwet's",
            "Fleiss' kappa",
            "Brennan-Prediger",
            "Conger's kappa",
            "Krippendorff's alpha",
        ):
            assert name_shown in details
    info = text_of(block(page, "criterion-rows", INFO)).split("All coefficients")[1]
    assert "Gwet's AC2" in info and "ordinal" in info
    need = text_of(block(page, "criterion-rows", NEED)).split("All coefficients")[1]
    assert "Gwet's AC2" in need and "quadratic" in need
    # The explanation states the rule a QA lead reads.
    assert "yes/no: agreement is below 80%, or AC1 is below 0.67" in page
    assert "alpha and AC2 are both below 0.67" in page


@pytest.mark.slow
def test_the_totals_alpha_interval_and_the_icc_intervals(client, users, panel):
    session, _people = panel
    result = meeting_selectors.discussion(session)
    oracle = pingouin_icc_of_totals(result)
    oracle = oracle.set_index("Type")
    for key, kind in (("ICC2", "ICC(A,1)"), ("ICC2k", "ICC(A,k)")):
        assert result.icc[key].value == pytest.approx(oracle.loc[kind, "ICC"], abs=1e-9)
        low, high = oracle.loc[kind, "CI95"]  # pingouin rounds its bounds to 2 decimals
        assert result.icc[key].low == pytest.approx(low, abs=0.006)
        assert result.icc[key].high == pytest.approx(high, abs=0.006)
    page = text_of(page_of(client, users[Role.QA_LEAD], session))
    single = result.icc["ICC2"]
    assert f"ICC(2,1) {number(single.value)} (95% interval {interval(single)})" in page
    alpha = result.totals.alpha
    assert f"95% interval {interval(alpha)}" in page
    assert "approximate: only" not in page  # eight contacts: no longer approximate here


def test_the_totals_interval_is_approximate_only_below_the_measured_sizes(client, users, revealed):
    # 6 contacts: the coverage benchmark measured the interval honest from 5 contacts.
    page = text_of(page_of(client, users[Role.QA_LEAD], revealed))
    assert "approximate: only" not in page
    four = session_figures.session_figures([[70, 80, 90, 60], [72, 79, 93, 58], [69, 84, 88, 61]])
    assert four.alpha.n == 4 and four.approximate


@pytest.mark.slow
def test_each_evaluator_against_the_reference(client, users, panel):
    from agreement.metrics import gwets_gamma
    from statsmodels.stats.inter_rater import cohens_kappa

    session, people = panel
    result = meeting_selectors.discussion(session)
    rows = {row.user: row for row in result.evaluators}
    # Bland-Altman by hand: differences from the reference total, their mean and SD,
    # limits at mean ± 1.96 SD (Bland & Altman 1986).
    for person in people:
        totals = np.array([row.totals[people.index(person)] for row in result.contacts])
        reference = np.array([row.reference_total for row in result.contacts])
        differences = totals - reference
        limits = rows[person].versus_reference
        assert limits.n == CONTACTS
        assert limits.bias == pytest.approx(differences.mean(), abs=1e-9)
        spread = 1.959964 * differences.std(ddof=1)
        assert limits.lower_limit == pytest.approx(differences.mean() - spread, abs=1e-4)
        assert limits.upper_limit == pytest.approx(differences.mean() + spread, abs=1e-4)

    # Evaluator 0 against the agreed (majority) answers: greet "no" once, the reference
    # "yes" throughout, so kappa is 0 by construction and shown as undefined; AC1 as the
    # agreement package has it for two raters.
    greet = next(c for c in rows[people[0]].criteria_versus_reference if c.criterion.text == GREET)
    assert (greet.n, greet.same, greet.kappa) == (CONTACTS, CONTACTS - 1, None)
    counts = np.array([[1, 1]] + [[2, 0]] * (CONTACTS - 1))  # yes, no per contact
    assert greet.ac1.value == pytest.approx(gwets_gamma(counts), abs=1e-9)
    assert greet.ac1.low <= greet.ac1.value <= greet.ac1.high

    # Evaluator 2 on info: "Correct" once where the reference says "Partly". With three
    # options, ordinal weights are linear weights (1, 2/3, 0), as statsmodels builds them.
    info = next(c for c in rows[people[2]].criteria_versus_reference if c.criterion.text == INFO)
    table = np.zeros((3, 3))  # Wrong, Partly, Correct: evaluator × reference
    for j in range(CONTACTS):
        mine = design(2, j)["info"]
        theirs = "Correct" if j < 4 else "Partly"
        table[
            ["Wrong", "Partly", "Correct"].index(mine), ["Wrong", "Partly", "Correct"].index(theirs)
        ] += 1
    oracle = cohens_kappa(table, wt="linear")
    assert info.weights == "ordinal"
    assert info.kappa.value == pytest.approx(oracle.kappa, abs=1e-9)
    assert info.kappa.se == pytest.approx(oracle.std_kappa, abs=1e-9)

    page = page_of(client, users[Role.QA_LEAD], session)
    evaluator = text_of(block(page, "evaluator-rows", str(people[2])))
    limits = rows[people[2]].versus_reference
    assert f"within {text_of(signed_text(limits.lower_limit))} to" in evaluator
    assert f"Totals on {CONTACTS} contacts" in evaluator
    line = evaluator[evaluator.index(INFO) :]
    assert f"{number(info.kappa.value)} {interval(info.kappa)}" in line
    assert '<details class="figures-details">' in block(page, "evaluator-rows", str(people[2]))


def signed_text(value: float) -> str:
    from qalibrate.core.templatetags.qalibrate_tags import signed

    return signed(value)


def test_the_expert_is_the_reference_in_expert_mode(users, team, version):
    session, people = plan(users, team, version, title="Expert")
    session.reference_mode, session.expert = ReferenceMode.EXPERT, people[1]
    session.save()
    score_all(users, session, people)
    rows = {row.user: row for row in meeting_selectors.discussion(session).evaluators}
    assert rows[people[1]].is_reference and rows[people[1]].versus_reference is None
    assert rows[people[1]].criteria_versus_reference == []
    # The expert gave 4 on contact 1 for the need, where the others gave 3: against the
    # expert, everyone else differs there once.
    need = next(c for c in rows[people[0]].criteria_versus_reference if c.criterion.text == NEED)
    assert (need.n, need.same) == (CONTACTS, CONTACTS - 1)


@pytest.mark.slow
def test_the_anonymous_report_names_nobody_in_the_new_sections(client, users, panel):
    session, people = panel
    page = page_of(client, users[Role.QA_LEAD], session, query="?anonymous=1")
    scores_part = page.split('id="criteria"')[0]
    for person in people:
        assert str(person) not in page
    assert scores_part.count("Against the reference, per criterion") == EVALUATORS
    for letter in "ABCDE":
        assert f"Evaluator {letter}" in text_of(
            block(page, "evaluator-rows", f"Evaluator {letter}")
        )

    book = load_workbook(io.BytesIO(report_xlsx(session_report(session, anonymous=True))))
    cells = [
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    for person in people:
        assert not any(str(person) in c for c in cells)
    limits = [r[0] for r in book["Evaluators vs reference"].iter_rows(min_row=2, values_only=True)]
    assert sorted(limits) == [f"Evaluator {letter}" for letter in "ABCDE"]
    answers = {r[0] for r in book["Answers vs reference"].iter_rows(min_row=2, values_only=True)}
    assert answers == set(limits)
    text = pdf_text(report_pdf(session_report(session, anonymous=True)))
    for person in people:
        assert str(person) not in text


def test_the_xlsx_holds_the_new_figures(panel):
    session, people = panel
    result = meeting_selectors.discussion(session)
    book = load_workbook(io.BytesIO(report_xlsx(session_report(session))))

    def sheet(title):
        headers, *rows = book[title].iter_rows(values_only=True)
        return [dict(zip(headers, row, strict=True)) for row in rows]

    family = sheet("Coefficients")
    assert len(family) == sum(len(c.figures.coefficients) for c in result.criteria)
    by_name = {(r["Criterion"], r["Coefficient"]): r for r in family}
    for criterion in result.criteria:
        text = criterion.criterion.text
        weighted = criterion.figures.weights != "identity"
        names = {
            "percent_agreement": "Weighted percent agreement" if weighted else "Percent agreement",
            "ac1": "Gwet's AC2" if weighted else "Gwet's AC1",
            "fleiss_kappa": "Fleiss' kappa",
            "brennan_prediger": "Brennan-Prediger",
            "conger_kappa": "Conger's kappa",
            "krippendorff_alpha": "Krippendorff's alpha",
        }
        for estimate in criterion.figures.coefficients.values():
            row = by_name[(text, names[estimate.name])]
            for column, value in (
                ("Value", estimate.value),
                ("SE", estimate.se),
                ("95% interval, low", estimate.low),
                ("95% interval, high", estimate.high),
            ):
                assert row[column] == (None if value is None else pytest.approx(value))
            assert row["Contacts (n)"] == estimate.n
    weights = {r["Criterion"]: r["Weights"] for r in family}
    assert (weights[GREET], weights[NEED], weights[INFO]) == ("none", "quadratic", "ordinal")

    criteria = {r["Criterion"]: r for r in sheet("Criteria")}
    greet = figures_of(result, GREET).flag_coefficient
    assert criteria[GREET]["Chance-corrected"] == "AC1"
    assert criteria[GREET]["Value"] == pytest.approx(greet.value)
    assert criteria[GREET]["Strength (Landis & Koch)"] == reading(greet)
    assert criteria[GREET]["Low agreement"] == "No"
    assert criteria[INFO]["Chance-corrected"] == "alpha"

    limits = {r["Evaluator"]: r for r in sheet("Evaluators vs reference")}
    for row in result.evaluators:
        figures = row.versus_reference
        assert limits[row.label]["Bias"] == pytest.approx(figures.bias)
        assert limits[row.label]["Lower limit"] == pytest.approx(figures.lower_limit)
        assert limits[row.label]["Upper limit: interval, high"] == pytest.approx(
            figures.upper_limit_high
        )
    answers = sheet("Answers vs reference")
    assert len(answers) == EVALUATORS * 4  # four scored criteria each
    info = next(r for r in answers if r["Evaluator"] == str(people[2]) and r["Criterion"] == INFO)
    expected = next(
        c for c in result.evaluators[2].criteria_versus_reference if c.criterion.text == INFO
    )
    assert info["Cohen's kappa"] == pytest.approx(expected.kappa.value)
    assert info["AC1 / AC2"] == "AC2" and info["Value"] == pytest.approx(expected.ac1.value)
    assert info["Contacts (n)"] == CONTACTS and info["Same answer"] == CONTACTS - 1

    summary = {r["Figure"]: r["Value"] for r in sheet("Summary")}
    assert summary["ICC(2,1): 95% interval, low"] == pytest.approx(result.icc["ICC2"].low)
    assert summary["ICC(2,k): 95% interval, high"] == pytest.approx(result.icc["ICC2k"].high)
    assert summary["Alpha of the totals: contacts (n)"] == CONTACTS


@pytest.mark.slow
def test_the_pdf_holds_the_new_figures(panel):
    session, _people = panel
    result = meeting_selectors.discussion(session)
    text = pdf_text(report_pdf(session_report(session)))
    alpha, single = result.totals.alpha, result.icc["ICC2"]
    assert f"95% interval {interval(alpha)}" in text
    assert f"ICC(2,1) {number(single.value)} (95% interval {interval(single)})" in text
    criteria = text[text.index("Krippendorff's alpha for scales and options) says") :]
    greet = figures_of(result, GREET).flag_coefficient
    row = criteria[criteria.index(GREET) :][:200]
    assert f"AC1 {number(greet.value)}" in row
    assert all(part in row for part in interval(greet).split())
    assert all(word in row for word in reading(greet).split())


def test_the_discussion_page_shows_the_flag_coefficient_with_its_interval(client, users, panel):
    session, _people = panel
    page = page_of(client, users[Role.QA_LEAD], session, name="session_discussion")
    table = text_of(page[page.index("Agreement per criterion") : page.index('id="actions"')])
    info = figures_of(meeting_selectors.discussion(session), INFO).flag_coefficient
    assert f"alpha {number(info.value)} ({interval(info)})" in table
    assert "· AC2" in table[table.index(NEED) :]  # low alpha, high AC2: both shown
