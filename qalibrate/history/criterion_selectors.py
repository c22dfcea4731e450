"""Criterion history: one criterion followed across the scorecard's versions by its stable key,
read from the CriterionRecord rows kept when each session completed (never from the answers).

Per session it shows what the session measured (agreement, alpha, AC1 or AC2, the share of
answers equal to the agreed answer). A *change* is a published version whose row for the key
differs from the previous published version's in what evaluators read or how they answer
(WORDING_FIELDS, compared as the version diff compares them: scorecards.selectors.field_changes);
a change of points or of the critical flag is not one. The sessions between two changes form a
*stretch*, split by the version each session used (not by date: a session may still run on
the older version after the new one is published).

Before and after a change, the stretches' stored answer tables are pooled into one panel:
evaluators' columns are united by user id (None where an evaluator was not in a session) and
the contacts of every session stacked as rows, N/A left out as in a session's own figures.
Gwet's AC1 (AC2 with the criterion's weights when its answers are ordered) and percent
agreement come from qalibrate.agreement.coefficients with their standard errors and
intervals, exactly as session_figures computes them for one session, so one session pooled
alone gives its own AC1. The difference after - before is read from an interval for two
independent samples, d ± z sqrt(se_before² + se_after²): above zero "agreement improved",
below zero "worse", across zero "no clear change". The verdict reads AC1/AC2, the
chance-corrected figure, so that a criterion everyone now answers "yes" to does not look
better only because chance agreement rose.

A stretch's pooled figures are cached (Django's default cache) under the ids and recording
times of its rows: recording a session again replaces its rows, so a changed stretch is a new
key and nothing stale is ever read.
"""

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _
from scipy import special

from qalibrate.accounts.models import User
from qalibrate.agreement.coefficients import Estimate, agreement_coefficients
from qalibrate.agreement.ratings import AgreementError, is_missing
from qalibrate.agreement.session_figures import WEIGHTS_BY_LEVEL, is_na
from qalibrate.history.models import CriterionRecord, SessionRecord
from qalibrate.scorecards.models import Criterion, Scorecard, VersionStatus
from qalibrate.scorecards.selectors import field_changes

CONFIDENCE = 0.95
KEY_LENGTH = Criterion._meta.get_field("key").max_length
# What a criterion says to evaluators and how it is answered: a change of any is a change
# whose effect on agreement is worth measuring. Points and the critical flag only weigh it.
WORDING_FIELDS = [
    "text",
    "guideline",
    "purpose",
    "kind",
    "options",
    "scale_min",
    "scale_max",
    "na_allowed",
]
RECENT = 3  # the sessions that count as recent when the builder looks for a flag
SHOWN = 4  # the last values the builder and the review page show
TREND = 6  # the sessions the list's trend line covers
CACHE_SECONDS = 24 * 3600

VERDICTS = {
    "improved": _("agreement improved"),
    "unclear": _("no clear change"),
    "worse": _("worse"),
    "early": _("too early to tell"),
}

_RECORD_FIELDS = (
    "pk",
    "key",
    "held_on",
    "answers",
    "agreement",
    "alpha",
    "ac1",
    "matches_agreed",
    "low_agreement",
    "needs_clarification",
    "record_id",
    "record__session_id",
    "record__session__title",
    "record__version__number",
    "record__scorecard_id",
    "record__recorded_at",
)


# --- What the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPoint:
    """What one completed session measured on the criterion."""

    row_id: int
    record_id: int
    session_id: int
    title: str
    held_on: date
    version: int
    answers: int
    agreement: float | None
    alpha: float | None
    ac1: float | None  # AC2 when the criterion's answers are ordered
    matches_agreed: float | None
    low_agreement: bool
    needs_clarification: bool
    recorded_at: datetime | None = None

    @property
    def flagged(self) -> bool:
        return self.low_agreement or self.needs_clarification


@dataclass(frozen=True)
class Pooled:
    """The sessions of one stretch pooled into one panel."""

    sessions: int
    ac1: Estimate | None
    agreement: Estimate | None
    weights: str = "identity"

    @property
    def contacts(self) -> int:
        estimate = self.ac1 or self.agreement
        return 0 if estimate is None else estimate.n


@dataclass(frozen=True)
class Difference:
    """after - before, with its interval for independent samples."""

    value: float
    se: float
    low: float
    high: float
    confidence: float

    @property
    def points(self) -> tuple[float, float, float]:
        """The difference of two shares in percentage points: value, low, high."""
        return self.value * 100, self.low * 100, self.high * 100

    @property
    def points_count(self) -> int:
        """How many points, rounded and unsigned: what the plural of "points" follows."""
        return abs(round(self.value * 100))

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return "improved"
        if self.high < 0:
            return "worse"
        return "unclear"


@dataclass(frozen=True)
class Change:
    """A published version where the criterion's wording changed, with the stretches of
    sessions on either side pooled."""

    number: int  # the version that brought the change
    previous: int  # the version before it
    published_on: date | None
    changes: list[dict]  # field_changes: field, name, old, new
    before: Pooled
    after: Pooled
    difference: Difference | None  # AC1/AC2
    agreement_difference: Difference | None

    @property
    def verdict(self) -> str:
        return "early" if self.difference is None else self.difference.verdict

    @property
    def verdict_text(self) -> str:
        return str(VERDICTS[self.verdict])


@dataclass
class CriterionHistory:
    key: str
    scorecard: Scorecard
    criterion: Criterion  # its row in the newest published version
    weights: str
    sessions: list[SessionPoint]
    changes: list[Change]
    scorecards: list[Scorecard] = field(default_factory=list)  # others sharing the key

    @property
    def latest(self) -> SessionPoint | None:
        return self.sessions[-1] if self.sessions else None


# --- Pooling (no database) --------------------------------------------------------------------


def pooled_table(tables: list[dict]) -> tuple[list[list], list]:
    """Stored answer tables stacked into one: the evaluators' columns united by user id in the
    order first seen (None where an evaluator was not in a session), the contacts' rows one
    session after another."""
    evaluators: list = []
    column: dict = {}
    for table in tables:
        for evaluator in table.get("evaluators", []):
            if evaluator not in column:
                column[evaluator] = len(evaluators)
                evaluators.append(evaluator)
    rows = []
    for table in tables:
        places = [column[e] for e in table.get("evaluators", [])]
        for row in table.get("rows", []):
            stacked = [None] * len(evaluators)
            for place, value in zip(places, row, strict=True):
                stacked[place] = value
            rows.append(stacked)
    return rows, evaluators


def answered_only(rows: list[list]) -> list[list]:
    """N/A and no answer both left out, as session_figures leaves them out of the agreement."""
    return [[None if is_missing(v) or is_na(v) else v for v in row] for row in rows]


def pooled(tables: list[dict], *, confidence: float = CONFIDENCE) -> Pooled:
    """AC1 (AC2 with the criterion's weights) and percent agreement of the pooled panel, with
    their standard errors and intervals; None where the answers allow none."""
    if not tables:
        return Pooled(0, None, None)
    newest = tables[-1]
    level = newest.get("level", "nominal")
    weights = WEIGHTS_BY_LEVEL[level]
    categories = ["yes", "no"] if newest.get("yes_no") else newest.get("domain")
    rows, _evaluators = pooled_table(tables)
    try:
        family = agreement_coefficients(
            answered_only(rows),
            categories=categories,
            weights=weights,
            confidence=confidence,
            coefficients=("percent_agreement", "ac1"),
        )
    except AgreementError:
        family = {}
    return Pooled(len(tables), family.get("ac1"), family.get("percent_agreement"), weights)


def difference(
    before: Estimate | None, after: Estimate | None, *, confidence: float = CONFIDENCE
) -> Difference | None:
    """after - before ± z sqrt(se_before² + se_after²); None without both standard errors."""
    if before is None or after is None or before.se is None or after.se is None:
        return None
    value = after.value - before.value
    se = math.sqrt(before.se**2 + after.se**2)
    margin = float(special.ndtri((1 + confidence) / 2)) * se
    return Difference(value, se, value - margin, value + margin, confidence)


# --- Reading the records -----------------------------------------------------------------------


def _visible_records(user: User):
    return SessionRecord.objects.visible_to(user).values("pk")


def _point(row: dict) -> SessionPoint:
    return SessionPoint(
        row_id=row["pk"],
        record_id=row["record_id"],
        session_id=row["record__session_id"],
        title=row["record__session__title"],
        held_on=row["held_on"],
        version=row["record__version__number"],
        answers=row["answers"],
        agreement=row["agreement"],
        alpha=row["alpha"],
        ac1=row["ac1"],
        matches_agreed=row["matches_agreed"],
        low_agreement=row["low_agreement"],
        needs_clarification=row["needs_clarification"],
        recorded_at=row["record__recorded_at"],
    )


def published_rows(keys, scorecard_ids):
    """The criterion's row in each published version, oldest first: one query."""
    return (
        Criterion.objects.filter(
            key__in=keys,
            section__version__scorecard_id__in=scorecard_ids,
            section__version__status=VersionStatus.PUBLISHED,
        )
        .select_related("section__version__scorecard")
        .order_by("section__version__number", "pk")
    )


def wording_changes(rows: list[Criterion]) -> list[tuple[Criterion, Criterion, list[dict]]]:
    """(previous row, row, what changed) for each version whose wording differs from the
    version before it (rows: one criterion's rows, oldest version first)."""
    found = []
    for before, after in zip(rows, rows[1:], strict=False):
        changes = field_changes(before, after, WORDING_FIELDS)
        if changes:
            found.append((before, after, changes))
    return found


def _stretch(version: int, change_numbers: list[int]) -> int:
    """Which stretch a session of this version belongs to: how many changes came before."""
    return sum(version >= number for number in change_numbers)


def _stretches(points, wording) -> dict[int, list[SessionPoint]]:
    """The points by stretch: 0 before the first change, 1 after it, and so on."""
    numbers = [after.section.version.number for _before, after, _found in wording]
    stretches = defaultdict(list)
    for point in points:
        stretches[_stretch(point.version, numbers)].append(point)
    return stretches


def _changes(points, tables, wording, *, only_last=False, known=None) -> list[Change]:
    """Each wording change with the stretches on either side pooled (``tables``: row id →
    stored table, for the stretches not in the cache: _pooled_stretch)."""
    stretches = _stretches(points, wording)
    result = []
    chosen = list(enumerate(wording))[-1:] if only_last else list(enumerate(wording))
    for index, (before_row, after_row, found) in chosen:
        sides = [_pooled_stretch(stretches[side], tables, known) for side in (index, index + 1)]
        version = after_row.section.version
        result.append(
            Change(
                number=version.number,
                previous=before_row.section.version.number,
                published_on=version.published_at.date() if version.published_at else None,
                changes=found,
                before=sides[0],
                after=sides[1],
                difference=difference(sides[0].ac1, sides[1].ac1),
                agreement_difference=difference(sides[0].agreement, sides[1].agreement),
            )
        )
    return result


def _stretch_key(points: list[SessionPoint]) -> str:
    marks = repr([(p.row_id, p.recorded_at) for p in points]).encode()
    return "history:criterion-pooled:" + hashlib.sha256(marks).hexdigest()


def _pooled_stretch(points: list[SessionPoint], tables: dict[int, dict], known=None) -> Pooled:
    """pooled() of the stretch's stored tables, cached under its rows' ids and recording
    times; ``tables`` must hold the stretch's tables unless it is in the cache (or, when
    given, in ``known``: what was read from the cache before the tables were fetched)."""
    key = _stretch_key(points)
    found = cache.get(key) if known is None else known.get(key)
    if found is None:
        found = pooled([tables[p.row_id] for p in points])
        cache.set(key, found, CACHE_SECONDS)
    return found


def criterion_history(
    *, key: str, user: User, scorecard_id: int | None = None
) -> CriterionHistory | None:
    """The criterion's history as the user may see it, None when no scorecard the user sees
    has published it. Two queries, however many sessions and versions."""
    if not key or len(key) > KEY_LENGTH or "\x00" in key:
        return None  # no criterion has such a key (and a database refuses a NUL)
    scorecards = Scorecard.objects.visible_to(user).values("pk")
    rows = list(published_rows([key], scorecards))
    if not rows:
        return None
    by_scorecard: dict[int, list[Criterion]] = {}
    for row in rows:
        by_scorecard.setdefault(row.section.version.scorecard_id, []).append(row)
    if scorecard_id not in by_scorecard:  # a key shared by imported copies: the newest
        scorecard_id = max(by_scorecard, key=lambda pk: by_scorecard[pk][-1].section.version_id)
    rows = by_scorecard[scorecard_id]
    records = (
        CriterionRecord.objects.filter(
            key=key, record__scorecard_id=scorecard_id, record__in=_visible_records(user)
        )
        .order_by("held_on", "record_id")
        .values(*_RECORD_FIELDS, "table")
    )
    points, tables, level = [], {}, "nominal"
    for record in records:
        points.append(_point(record))
        tables[record["pk"]] = record["table"]
        level = record["table"].get("level", level)
    latest = rows[-1]
    return CriterionHistory(
        key=key,
        scorecard=latest.section.version.scorecard,
        criterion=latest,
        weights=WEIGHTS_BY_LEVEL[level],
        sessions=points,
        changes=_changes(points, tables, wording_changes(rows)),
        scorecards=[r[-1].section.version.scorecard for r in by_scorecard.values()],
    )


# --- The list of a scorecard's criteria --------------------------------------------------------


@dataclass
class CriterionLine:
    criterion: Criterion
    sessions: int
    latest: SessionPoint | None
    trend: list[float]  # agreement in the last TREND sessions that have one, oldest first

    @property
    def trend_points(self) -> float | None:
        """The agreement's change over the trend, in percentage points."""
        return (self.trend[-1] - self.trend[0]) * 100 if len(self.trend) > 1 else None

    @property
    def trend_points_count(self) -> int:
        """trend_points rounded and unsigned: what the plural of "points" follows."""
        return abs(round(self.trend_points or 0))

    @property
    def sparkline(self) -> str:
        """The trend as an SVG polyline's points in a 100 × 24 box (agreement 0-100%)."""
        if len(self.trend) < 2:
            return ""
        step = 100 / (len(self.trend) - 1)
        return " ".join(
            f"{i * step:.1f},{24 - 22 * value - 1:.1f}" for i, value in enumerate(self.trend)
        )


@dataclass
class CriteriaOverview:
    scorecards: list[Scorecard]
    scorecard: Scorecard | None
    version: int | None
    lines: list[CriterionLine]


def criteria_overview(*, user: User, scorecard_id: int | None = None) -> CriteriaOverview:
    """The scored criteria of the scorecard's newest published version, each with its latest
    figures, its trend and how many sessions recorded it. Three queries, reading only the last
    TREND records of each criterion."""
    scorecards = list(
        Scorecard.objects.visible_to(user)
        .filter(pk__in=SessionRecord.objects.visible_to(user).values("scorecard_id"))
        .order_by("name", "pk")
    )
    chosen = next((s for s in scorecards if s.pk == scorecard_id), None)
    chosen = chosen or (scorecards[0] if scorecards else None)
    if chosen is None:
        return CriteriaOverview(scorecards, None, None, [])
    criteria = list(
        Criterion.objects.filter(
            section__version__scorecard=chosen, section__version__status=VersionStatus.PUBLISHED
        )
        .exclude(kind="text")
        .select_related("section__version")
        .order_by("-section__version__number", "section__position", "section_id", "position")
    )
    newest = criteria[0].section.version.number if criteria else None
    criteria = [c for c in criteria if c.section.version.number == newest]
    latest, totals = _latest_points(user, chosen.pk, [c.key for c in criteria], TREND)
    lines = []
    for criterion in criteria:
        points = latest.get(criterion.key, [])
        known = [p.agreement for p in points if p.agreement is not None]
        lines.append(
            CriterionLine(
                criterion, totals.get(criterion.key, 0), points[-1] if points else None, known
            )
        )
    return CriteriaOverview(scorecards, chosen, newest, lines)


def _latest_points(user, scorecard_id, keys, count) -> tuple[dict, dict]:
    """Per key, its last ``count`` points (oldest first) and how many it has in all: one
    query, whose rows do not grow with the number of sessions (a window function ranks each
    key's records, the database keeps the first ``count``)."""
    newest_first = [F("held_on").desc(), F("record_id").desc()]
    rows = (
        CriterionRecord.objects.filter(
            key__in=keys, record__scorecard_id=scorecard_id, record__in=_visible_records(user)
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("key")], order_by=newest_first),
            total=Window(Count("pk"), partition_by=[F("key")]),
        )
        .filter(rank__lte=count)
        .order_by("key", "held_on", "record_id")
        .values(*_RECORD_FIELDS, "total")
    )
    points: dict[str, list[SessionPoint]] = defaultdict(list)
    totals: dict[str, int] = {}
    for row in rows:
        points[row["key"]].append(_point(row))
        totals[row["key"]] = row["total"]
    return points, totals


# --- Beside a flagged criterion in the scorecard builder and review page ------------------------


@dataclass
class ClarificationHistory:
    """A criterion flagged in its recent sessions, in short: its last values and whether the
    last change of its wording worked."""

    key: str
    scorecard_id: int
    recent: list[SessionPoint]  # the last SHOWN sessions, oldest first
    needs_clarification: bool  # flagged by a facilitator in the last RECENT sessions
    low_agreement: bool  # low agreement in the last RECENT sessions
    change: Change | None  # the last change of its wording, pooled before and after


def clarification_histories(
    *, user: User, scorecard_id: int, keys: list[str]
) -> dict[str, ClarificationHistory]:
    """Criterion key → its history in short, for the criteria of ``keys`` flagged (needs
    clarification, or low agreement) in any of their last RECENT sessions. At most four
    queries, whatever the number of criteria, sessions or versions: the last records of every
    key, the published rows of the flagged keys, the records either side of their last
    changes, and the tables of those not pooled in the cache yet."""
    if not keys:
        return {}
    latest, _totals = _latest_points(user, scorecard_id, keys, max(SHOWN, RECENT))
    flagged = {
        key: points for key, points in latest.items() if any(p.flagged for p in points[-RECENT:])
    }
    if not flagged:
        return {}
    rows: dict[str, list[Criterion]] = defaultdict(list)
    for row in published_rows(list(flagged), [scorecard_id]):
        rows[row.key].append(row)
    wording = {key: wording_changes(rows[key]) for key in flagged}
    changes = _last_changes(user, scorecard_id, {k: w for k, w in wording.items() if w})
    result = {}
    for key, points in flagged.items():
        last = points[-RECENT:]
        result[key] = ClarificationHistory(
            key=key,
            scorecard_id=scorecard_id,
            recent=points[-SHOWN:],
            needs_clarification=any(p.needs_clarification for p in last),
            low_agreement=any(p.low_agreement for p in last),
            change=changes.get(key),
        )
    return result


def _last_changes(user, scorecard_id, wording: dict) -> dict[str, Change]:
    """Each key's last change with the sessions either side pooled: their records in one query,
    and the tables of the stretches not in the cache in one more."""
    if not wording:
        return {}
    either_side = Q()
    for key, found in wording.items():
        numbers = [after.section.version.number for _before, after, _found in found]
        floor = numbers[-2] if len(numbers) > 1 else 0
        either_side |= Q(key=key, record__version__number__gte=floor)
    records = (
        CriterionRecord.objects.filter(
            either_side, record__scorecard_id=scorecard_id, record__in=_visible_records(user)
        )
        .order_by("held_on", "record_id")
        .values(*_RECORD_FIELDS)
    )
    points: dict[str, list[SessionPoint]] = defaultdict(list)
    for record in records:
        points[record["key"]].append(_point(record))
    stretches = [
        stretch
        for key, found in wording.items()
        for stretch in _stretches(points[key], found).values()
    ]
    cached = cache.get_many([_stretch_key(stretch) for stretch in stretches])
    wanted = [
        p.row_id for stretch in stretches if _stretch_key(stretch) not in cached for p in stretch
    ]
    tables = (
        dict(CriterionRecord.objects.filter(pk__in=wanted).values_list("pk", "table"))
        if wanted
        else {}
    )
    return {
        key: _changes(points[key], tables, found, only_last=True, known=cached)[-1]
        for key, found in wording.items()
    }
