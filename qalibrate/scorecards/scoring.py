"""The one function that scores an evaluation (README: "Scoring"). Pure: no database, no Django.

Score = 100 × Σ(section weight × section share) / Σ(weights of the sections that count), where a
section's share = points earned / points possible over its answered, scored criteria.

- N/A answers and unanswered criteria are left out of both earned and possible.
- A section with nothing to score (all N/A) is left out of the total, weight and all.
- When nothing at all can be scored the result is "no score" (None), never 0 or 100.
- A critical criterion fails when its answer earns none of its points ("no", the bottom of the
  scale, an option worth 0). Its scope, set per criterion, is then scored 0: its section (the
  section still counts with its weight) or the whole evaluation.
- Free-text criteria are never scored.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field


class NotApplicable:
    """The N/A answer. A single instance, `NA`, is used everywhere."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"


NA = NotApplicable()
YES, NO = "yes", "no"


class InvalidAnswer(ValueError):
    """An answer that the criterion cannot take (out of range, unknown option, N/A not allowed)."""


@dataclass(frozen=True)
class CriterionSpec:
    id: object
    kind: str  # "yes_no", "scale", "options" or "text"
    points: float = 1
    scale_min: float = 0
    scale_max: float = 5
    options: Mapping[str, float] = field(default_factory=dict)
    critical: str = "none"  # "none", "section" or "form"
    na_allowed: bool = False

    @property
    def is_scored(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class SectionSpec:
    id: object
    weight: float
    criteria: list[CriterionSpec]


@dataclass(frozen=True)
class FormSpec:
    sections: list[SectionSpec]


@dataclass(frozen=True)
class SectionScore:
    earned: float
    possible: float
    share: float | None  # None: nothing in the section could be scored
    zeroed: bool


@dataclass(frozen=True)
class ScoreResult:
    score: float | None  # 0..100, or None for "no score"
    sections: dict[object, SectionScore]
    failed_critical: list[object]  # ids of critical criteria that failed
    form_zeroed: bool


def criterion_points(criterion: CriterionSpec, answer) -> tuple[float, float]:
    """(earned, possible) for one answer that is neither N/A nor missing."""
    if criterion.kind == "yes_no":
        if answer in (YES, True):
            return criterion.points, criterion.points
        if answer in (NO, False):
            return 0, criterion.points
        raise InvalidAnswer(f"expected yes or no, got {answer!r}")
    if criterion.kind == "scale":
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise InvalidAnswer(f"expected a number, got {answer!r}")
        if not criterion.scale_min <= answer <= criterion.scale_max:
            raise InvalidAnswer(
                f"expected {criterion.scale_min}..{criterion.scale_max}, got {answer!r}"
            )
        span = criterion.scale_max - criterion.scale_min
        return criterion.points * (answer - criterion.scale_min) / span, criterion.points
    if criterion.kind == "options":
        if answer not in criterion.options:
            raise InvalidAnswer(f"expected one of {sorted(criterion.options)}, got {answer!r}")
        return criterion.options[answer], max(criterion.options.values())
    raise InvalidAnswer(f"criterion kind {criterion.kind!r} is not scored")


def score_evaluation(form: FormSpec, answers: Mapping[object, object]) -> ScoreResult:
    """Score answers (criterion id → value or NA; missing ids are unanswered) on a form."""
    sections: dict[object, SectionScore] = {}
    failed_critical: list[object] = []
    form_zeroed = False
    for section in form.sections:
        sections[section.id], failed, zeroes_form = _score_section(section, answers)
        failed_critical += failed
        form_zeroed = form_zeroed or zeroes_form
    counted = [
        (s.weight, sections[s.id].share) for s in form.sections if sections[s.id].share is not None
    ]
    return ScoreResult(_total(counted, form_zeroed), sections, failed_critical, form_zeroed)


def _score_section(
    section: SectionSpec, answers: Mapping[object, object]
) -> tuple[SectionScore, list[object], bool]:
    """The section's score, the ids of its critical criteria that failed, and whether one of
    them zeroes the whole form."""
    if section.weight <= 0:
        raise ValueError(f"section {section.id!r} has weight {section.weight}; must be > 0")
    earned = possible = 0.0
    failed: list[object] = []
    zeroed = form_zeroed = False
    for criterion in section.criteria:
        points = _answer_points(criterion, answers.get(criterion.id))
        if points is None:
            continue
        got, out_of = points
        earned += got
        possible += out_of
        if criterion.critical != "none" and out_of > 0 and got == 0:
            failed.append(criterion.id)
            zeroed = zeroed or criterion.critical == "section"
            form_zeroed = form_zeroed or criterion.critical == "form"
    share = None if possible == 0 else (0.0 if zeroed else earned / possible)
    return SectionScore(earned, possible, share, zeroed), failed, form_zeroed


def _answer_points(criterion: CriterionSpec, answer) -> tuple[float, float] | None:
    """(earned, possible) for one answer; None when it is left out (unanswered, N/A or free
    text)."""
    if not criterion.is_scored or answer is None:
        return None
    if answer is NA:
        if not criterion.na_allowed:
            raise InvalidAnswer(f"N/A is not allowed for criterion {criterion.id!r}")
        return None
    return criterion_points(criterion, answer)


def _total(counted: list[tuple[float, float]], form_zeroed: bool) -> float | None:
    """The weighted mean of the counted sections' shares (weight, share), on 0..100."""
    if not counted:
        return None
    if form_zeroed:
        return 0.0
    total_weight = sum(weight for weight, _ in counted)
    score = 100 * sum(weight * share for weight, share in counted) / total_weight
    return min(100.0, max(0.0, score))  # guard against float round-off only
