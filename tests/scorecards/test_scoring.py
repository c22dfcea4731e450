"""The scoring function: the README's worked example, edge cases and invariants (hypothesis)."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qalibrate.scorecards.scoring import (
    NA,
    CriterionSpec,
    FormSpec,
    InvalidAnswer,
    SectionSpec,
    score_evaluation,
)


def readme_example_form() -> FormSpec:
    return FormSpec(
        sections=[
            SectionSpec(
                "opening",
                1,
                [
                    CriterionSpec("greets", "yes_no", points=1),
                    CriterionSpec("verifies", "yes_no", points=2, critical="form"),
                ],
            ),
            SectionSpec(
                "resolution",
                2,
                [
                    CriterionSpec("need", "scale", points=4, scale_min=0, scale_max=5),
                    CriterionSpec(
                        "accuracy", "options", options={"Correct": 3, "Partly": 1, "Wrong": 0}
                    ),
                    CriterionSpec("more_help", "yes_no", points=1, na_allowed=True),
                ],
            ),
            SectionSpec(
                "closing",
                1,
                [CriterionSpec("summary", "yes_no"), CriterionSpec("notes", "text")],
            ),
        ]
    )


README_ANSWERS = {
    "greets": "yes",
    "verifies": "yes",
    "need": 3,
    "accuracy": "Partly",
    "more_help": NA,
    "summary": "no",
    "notes": "Spoke fast",
}


def test_the_readme_worked_example():
    result = score_evaluation(readme_example_form(), README_ANSWERS)
    assert result.sections["opening"].share == 1.0
    assert result.sections["resolution"].share == pytest.approx(3.4 / 7)
    assert result.sections["closing"].share == 0.0
    assert result.score == pytest.approx(49.2857, abs=1e-4)
    assert round(result.score, 1) == 49.3


def test_a_failed_critical_criterion_zeroes_the_whole_evaluation():
    result = score_evaluation(readme_example_form(), README_ANSWERS | {"verifies": "no"})
    assert result.score == 0.0
    assert result.failed_critical == ["verifies"] and result.form_zeroed


def test_a_failed_section_critical_zeroes_only_its_section():
    form = readme_example_form()
    resolution = form.sections[1]
    accuracy = dataclasses.replace(resolution.criteria[1], critical="section")
    form.sections[1] = dataclasses.replace(
        resolution, criteria=[resolution.criteria[0], accuracy, resolution.criteria[2]]
    )
    result = score_evaluation(form, README_ANSWERS | {"accuracy": "Wrong"})
    assert result.sections["resolution"].share == 0.0 and result.sections["resolution"].zeroed
    assert result.score == pytest.approx(100 * (1 + 0 + 0) / 4)


def test_all_answers_na_is_no_score():
    form = FormSpec([SectionSpec(1, 1, [CriterionSpec("a", "yes_no", na_allowed=True)])])
    assert score_evaluation(form, {"a": NA}).score is None
    assert score_evaluation(form, {}).score is None


def test_na_on_a_critical_criterion_is_not_a_failure():
    form = FormSpec(
        [
            SectionSpec(
                1,
                1,
                [
                    CriterionSpec("c", "yes_no", critical="form", na_allowed=True),
                    CriterionSpec("d", "yes_no"),
                ],
            )
        ]
    )
    assert score_evaluation(form, {"c": NA, "d": "yes"}).score == 100.0


@pytest.mark.parametrize(
    ("criterion", "answer"),
    [
        (CriterionSpec("x", "yes_no"), "maybe"),
        (CriterionSpec("x", "yes_no"), NA),
        (CriterionSpec("x", "scale", scale_min=1, scale_max=10), 11),
        (CriterionSpec("x", "scale", scale_min=1, scale_max=10), "5"),
        (CriterionSpec("x", "options", options={"A": 1}), "B"),
    ],
)
def test_impossible_answers_are_refused(criterion, answer):
    with pytest.raises(InvalidAnswer):
        score_evaluation(FormSpec([SectionSpec(1, 1, [criterion])]), {"x": answer})


# --- invariants ------------------------------------------------------------------------------


@st.composite
def criteria(draw, ident):
    kind = draw(st.sampled_from(["yes_no", "scale", "options", "text"]))
    spec = CriterionSpec(
        ident,
        kind,
        points=draw(st.integers(1, 10)),
        na_allowed=draw(st.booleans()),
        critical=draw(st.sampled_from(["none", "none", "section", "form"])),
    )
    if kind == "scale":
        low = draw(st.integers(0, 1))
        spec = dataclasses.replace(spec, scale_min=low, scale_max=low + draw(st.integers(1, 9)))
    if kind == "options":
        labels = draw(st.lists(st.sampled_from("ABCDE"), min_size=2, max_size=5, unique=True))
        points = draw(st.lists(st.integers(0, 5), min_size=len(labels), max_size=len(labels)))
        points[0] = max(points[0], 1)
        spec = dataclasses.replace(spec, options=dict(zip(labels, points, strict=True)))
    return spec


@st.composite
def forms(draw):
    sections, number = [], 0
    for s in range(draw(st.integers(1, 4))):
        items = []
        for _ in range(draw(st.integers(1, 5))):
            number += 1
            items.append(draw(criteria(number)))
        sections.append(SectionSpec(f"s{s}", draw(st.integers(1, 10)), items))
    return FormSpec(sections)


def answer_for(draw, criterion: CriterionSpec):
    choices = []
    if criterion.na_allowed:
        choices.append(st.just(NA))
    if criterion.kind == "yes_no":
        choices.append(st.sampled_from(["yes", "no"]))
    elif criterion.kind == "scale":
        choices.append(st.integers(criterion.scale_min, criterion.scale_max))
    elif criterion.kind == "options":
        choices.append(st.sampled_from(sorted(criterion.options)))
    else:
        choices.append(st.text(max_size=5))
    return draw(st.one_of(choices))


@st.composite
def forms_with_answers(draw):
    form = draw(forms())
    answers = {c.id: answer_for(draw, c) for s in form.sections for c in s.criteria}
    return form, answers


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(forms_with_answers())
def test_score_is_between_0_and_100_or_no_score(case):
    form, answers = case
    score = score_evaluation(form, answers).score
    assert score is None or 0 <= score <= 100


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(forms_with_answers(), st.data())
def test_an_na_answer_does_not_change_the_score_of_the_rest(case, data):
    form, answers = case
    allowing_na = [c for s in form.sections for c in s.criteria if c.na_allowed]
    if not allowing_na:
        return
    chosen = data.draw(st.sampled_from(allowing_na))
    with_na = score_evaluation(form, answers | {chosen.id: NA}).score
    without = FormSpec(
        [
            dataclasses.replace(s, criteria=[c for c in s.criteria if c.id != chosen.id])
            for s in form.sections
        ]
    )
    rest = {k: v for k, v in answers.items() if k != chosen.id}
    expected = score_evaluation(without, rest).score
    assert with_na == pytest.approx(expected) if expected is not None else with_na is None


def zero_answer(criterion: CriterionSpec):
    if criterion.kind == "yes_no":
        return "no"
    if criterion.kind == "scale":
        return criterion.scale_min
    zero = [label for label, points in criterion.options.items() if points == 0]
    return zero[0] if zero else None


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(forms_with_answers(), st.data())
def test_a_failed_critical_criterion_zeroes_its_scope(case, data):
    form, answers = case
    critical = [
        (s, c)
        for s in form.sections
        for c in s.criteria
        if c.critical != "none" and c.is_scored and zero_answer(c) is not None
    ]
    if not critical:
        return
    section, chosen = data.draw(st.sampled_from(critical))
    result = score_evaluation(form, answers | {chosen.id: zero_answer(chosen)})
    assert chosen.id in result.failed_critical
    if chosen.critical == "form":
        assert result.score == 0
    else:
        assert result.sections[section.id].share == 0


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(forms_with_answers(), st.integers(2, 1000))
def test_scaling_every_weight_or_every_points_value_changes_nothing(case, factor):
    form, answers = case
    score = score_evaluation(form, answers).score
    heavier = FormSpec([dataclasses.replace(s, weight=s.weight * factor) for s in form.sections])
    richer = FormSpec(
        [
            dataclasses.replace(
                s,
                criteria=[
                    dataclasses.replace(
                        c,
                        points=c.points * factor,
                        options={k: v * factor for k, v in c.options.items()},
                    )
                    for c in s.criteria
                ],
            )
            for s in form.sections
        ]
    )
    for scaled in (heavier, richer):
        other = score_evaluation(scaled, answers).score
        assert other == pytest.approx(score) if score is not None else other is None
