"""Reads of double scoring: the pairs a user sees and their figures pooled over time.

A pair is kept once both evaluations are submitted (services.pair_complete): the difference of
the two scores and, per criterion, whether both gave the same answer. Pooled over a period,
the share of pairs within the tolerance and each criterion's share of equal answers carry a
95% Wilson interval (agreement.proportion): pairs are few per evaluator and the shares sit near
100%, where the usual Wald interval breaks. Pairs are counted, not weighted, so one busy month
counts for more than a quiet one; the months are shown apart for that reason."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qalibrate.accounts.models import User
from qalibrate.agreement.bland_altman import BlandAltman, bland_altman
from qalibrate.agreement.proportion import Share, wilson
from qalibrate.agreement.ratings import AgreementError
from qalibrate.calibration.models import SessionContact
from qalibrate.double_scoring.models import Pair, Policy
from qalibrate.evaluations.models import Evaluation, EvaluationStatus
from qalibrate.scorecards.selectors import latest_texts

# The QA lead's overview pools the last three months: about six sessions' worth of time.
OVERVIEW_DAYS = 90
# An evaluator is flagged when this many of their latest pairs in a row were outside.
OUTSIDE_IN_A_ROW = 3


@dataclass
class CriterionAgreement:
    key: str
    text: str
    share: Share


@dataclass
class MonthFigures:
    month: date
    within: Share
    mean_deviation: float | None


@dataclass
class PairFigures:
    """Pairs pooled: how many, the share within the tolerance, the mean difference, by month
    and by criterion (least agreed first)."""

    pairs: int
    within: Share
    mean_deviation: float | None
    months: list[MonthFigures] = field(default_factory=list)
    criteria: list[CriterionAgreement] = field(default_factory=list)
    outside_in_a_row: int = 0

    @property
    def flagged(self) -> bool:
        return self.outside_in_a_row >= OUTSIDE_IN_A_ROW


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _within(pairs: list[Pair]) -> tuple[Share, float | None]:
    scored = [pair for pair in pairs if pair.within_tolerance is not None]
    hits = sum(1 for pair in scored if pair.within_tolerance)
    return wilson(hits, len(scored)), _mean([pair.deviation for pair in scored])


def _outside_in_a_row(pairs: list[Pair]) -> int:
    run = 0
    for pair in sorted(pairs, key=lambda p: p.completed_at, reverse=True):
        if pair.within_tolerance is not False:
            break
        run += 1
    return run


def criterion_counts(pairs) -> dict[str, list[int]]:
    """Criterion key → [equal answers, compared], over the pairs."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pair in pairs:
        for key, same in (pair.criteria or {}).items():
            counts[key][0] += 1 if same else 0
            counts[key][1] += 1
    return counts


def figures(pairs: list[Pair], *, with_criteria: bool = True) -> PairFigures:
    """Completed pairs pooled (one query for the criteria's texts, none without them)."""
    within, mean_deviation = _within(pairs)
    by_month: dict[date, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_month[pair.completed_at.date().replace(day=1)].append(pair)
    months = [MonthFigures(month, *_within(found)) for month, found in sorted(by_month.items())]
    counts = criterion_counts(pairs) if with_criteria else {}
    texts = latest_texts(counts) if counts else {}
    criteria = [
        CriterionAgreement(key=key, text=texts.get(key, key), share=wilson(same, compared))
        for key, (same, compared) in counts.items()
    ]
    criteria.sort(key=lambda c: (c.share.value, c.text))
    return PairFigures(
        pairs=len(pairs),
        within=within,
        mean_deviation=mean_deviation,
        months=months,
        criteria=criteria,
        outside_in_a_row=_outside_in_a_row(pairs),
    )


def completed_pairs(*, user: User, since: date | None = None) -> QuerySet[Pair]:
    pairs = Pair.objects.visible_to(user).completed()
    if since is not None:
        pairs = pairs.filter(completed_at__date__gte=since)
    return pairs.only(
        "team_id",
        "completed_at",
        "deviation",
        "within_tolerance",
        "criteria",
        "tolerance",
        "by_expert",
        "first_score",
        "second_score",
        "first__evaluator_id",
    )


def evaluator_figures(*, user: User, evaluator: User, since: date | None = None) -> PairFigures:
    """The pairs the evaluator scored in, as first or second, that ``user`` sees."""
    mine = Q(first__evaluator=evaluator) | Q(second__evaluator=evaluator)
    return figures(list(completed_pairs(user=user, since=since).filter(mine)))


# -- The expert as the benchmark (issue 20, part 2) ----------------------------------------------


@dataclass
class Alignment:
    """An evaluator against the expert: the pairs whose second evaluation is the policy's
    expert's, the expert's score taken as the reference. ``figures`` pools them as any pairs
    (the share within the tolerance is the alignment score, by month and criterion); ``bias``
    is Bland-Altman's mean difference, evaluator minus expert (+ lenient, − strict), with its
    95% interval and limits of agreement (None under two pairs)."""

    evaluator: User
    figures: PairFigures
    bias: BlandAltman | None


def _bias(pairs: list[Pair]) -> BlandAltman | None:
    scored = [(p.first_score, p.second_score) for p in pairs if p.first_score is not None]
    scored = [(one, other) for one, other in scored if other is not None]
    if len(scored) < 2:
        return None
    try:
        return bland_altman([one for one, _ in scored], [other for _, other in scored])
    except AgreementError:
        return None


def alignment(pairs: list[Pair], evaluator: User, *, with_criteria=True) -> Alignment | None:
    against = [p for p in pairs if p.by_expert and p.first.evaluator_id == evaluator.pk]
    if not against:
        return None
    return Alignment(evaluator, figures(against, with_criteria=with_criteria), _bias(against))


def evaluator_alignment(*, user: User, evaluator: User) -> Alignment | None:
    """The evaluator's own pairs against the expert that ``user`` sees, over all time."""
    pairs = completed_pairs(user=user).filter(by_expert=True, first__evaluator=evaluator)
    return alignment(list(pairs.select_related("first")), evaluator)


def alignments(pairs: list[Pair]) -> list[Alignment]:
    """Every evaluator with pairs against the expert, the least aligned first."""
    people = {p.first.evaluator for p in pairs if p.by_expert}
    found = [alignment(pairs, person, with_criteria=False) for person in people]
    found.sort(key=lambda a: (a.figures.within.value or 0, str(a.evaluator)))
    return found


@dataclass
class EvaluatorLine:
    evaluator: User
    figures: PairFigures


@dataclass
class Overview:
    since: date
    team: PairFigures
    evaluators: list[EvaluatorLine]
    waiting: list[Pair]
    candidates: list[Pair]
    policies: list[Policy]
    against_expert: list[Alignment] = field(default_factory=list)

    @property
    def expert_named(self) -> bool:
        return any(policy.expert_id for policy in self.policies)


def _evaluator_lines(pairs: list[Pair]) -> list[EvaluatorLine]:
    by_person: dict[int, list[Pair]] = defaultdict(list)
    people: dict[int, User] = {}
    for pair in pairs:
        for evaluation in (pair.first, pair.second):
            by_person[evaluation.evaluator_id].append(pair)
            people[evaluation.evaluator_id] = evaluation.evaluator
    lines = [
        EvaluatorLine(people[pk], figures(found, with_criteria=False))
        for pk, found in by_person.items()
    ]
    lines.sort(key=lambda line: (not line.figures.flagged, line.figures.within.value or 0))
    return lines


def candidates(*, user: User, limit: int = 20) -> QuerySet[Pair]:
    """Pairs outside the tolerance whose contact no session has taken up yet, the widest
    first: the contacts to talk through at the next session."""
    in_a_session = SessionContact.objects.filter(contact_id=OuterRef("first__contact_id"))
    return (
        Pair.objects.visible_to(user)
        .filter(within_tolerance=False)
        .exclude(Exists(in_a_session))
        .select_related("first__contact__agent", "first__version__scorecard", "team")
        .order_by("-deviation", "-completed_at")[:limit]
    )


def overview(*, user: User, today: date | None = None) -> Overview:
    """The QA lead's page: the last OVERVIEW_DAYS of pairs pooled for the team(s) and per
    evaluator, pairs waiting for their second evaluation, candidates, the policies."""
    today = today or timezone.localdate()
    since = today - timedelta(days=OVERVIEW_DAYS)
    pairs = list(
        Pair.objects.visible_to(user)
        .completed()
        .filter(completed_at__date__gte=since)
        .select_related("first__evaluator", "second__evaluator")
    )
    waiting = (
        Pair.objects.visible_to(user)
        .filter(completed_at__isnull=True)
        .select_related("first__contact__agent", "first__evaluator", "second__evaluator", "team")
        .order_by("drawn_at")
    )
    return Overview(
        since=since,
        team=figures(pairs),
        evaluators=_evaluator_lines(pairs),
        waiting=list(waiting[:50]),
        candidates=list(candidates(user=user)),
        policies=list(
            Policy.objects.visible_to(user).select_related("team", "scorecard", "expert")
        ),
        against_expert=alignments(pairs),
    )


def seconds_to_do(*, user: User) -> QuerySet[Evaluation]:
    """The user's second evaluations still to submit, the oldest first."""
    return (
        Evaluation.objects.filter(
            evaluator=user, status=EvaluationStatus.DRAFT, pair_as_second__isnull=False
        )
        .select_related("contact__agent", "version__scorecard")
        .order_by("created_at")
    )


def pair_detail(*, user: User, pk: int) -> Pair | None:
    return (
        Pair.objects.visible_to(user)
        .completed()
        .select_related(
            "first__evaluator",
            "second__evaluator",
            "first__contact__agent",
            "team",
            "first__version__scorecard",
        )
        .filter(pk=pk)
        .first()
    )


def pair_of(*, user: User, evaluation: Evaluation) -> Pair | None:
    """The pair this evaluation belongs to, for the note on its page: its own evaluators and QA
    staff of the team hear of it; nobody else."""
    pair = (
        Pair.objects.filter(Q(first=evaluation) | Q(second=evaluation))
        .select_related("first", "second")
        .first()
    )
    if pair is None:
        return None
    if user.pk in (pair.first.evaluator_id, pair.second.evaluator_id):
        return pair
    return pair if Pair.objects.visible_to(user).filter(pk=pair.pk).exists() else None


def pairs_filtered(*, user: User, team=None, scorecard=None, start=None, end=None) -> list[Pair]:
    """Completed pairs for the trends page's filters (team, scorecard, period)."""
    pairs = completed_pairs(user=user)
    if team is not None:
        pairs = pairs.filter(team=team)
    if scorecard is not None:
        pairs = pairs.filter(first__version__scorecard=scorecard)
    if start is not None:
        pairs = pairs.filter(completed_at__date__gte=start)
    if end is not None:
        pairs = pairs.filter(completed_at__date__lte=end)
    return list(pairs)


@dataclass
class CriterionPairs:
    """One criterion in double scoring: the share of pairs that gave the same answer, in all
    and by month."""

    share: Share
    months: list[tuple[date, Share]]


def criterion_pairs(*, user: User, key: str) -> CriterionPairs | None:
    pairs = completed_pairs(user=user).filter(criteria__has_key=key).order_by("completed_at")
    by_month: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for pair in pairs:
        counts = by_month[pair.completed_at.date().replace(day=1)]
        counts[0] += 1 if pair.criteria[key] else 0
        counts[1] += 1
    if not by_month:
        return None
    same = sum(counts[0] for counts in by_month.values())
    compared = sum(counts[1] for counts in by_month.values())
    months = [(month, wilson(*counts)) for month, counts in sorted(by_month.items())]
    return CriterionPairs(share=wilson(same, compared), months=months)


def outside_in_a_row(*, evaluator: User, team_id: int) -> tuple[int, Pair | None]:
    """The evaluator's latest completed pairs of the team in a row outside the tolerance, and
    the latest pair (for the alert's words)."""
    mine = Q(first__evaluator=evaluator) | Q(second__evaluator=evaluator)
    latest = list(
        Pair.objects.completed()
        .filter(mine, team_id=team_id)
        .order_by("-completed_at", "-pk")
        .only("completed_at", "within_tolerance", "deviation", "tolerance")[: OUTSIDE_IN_A_ROW + 1]
    )
    return _outside_in_a_row(latest), (latest[0] if latest else None)
