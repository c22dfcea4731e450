"""One evaluator's history, and the list of evaluators for QA staff (docs/history.md), read from
the stored EvaluatorRecord rows of the sessions the reader sees, never from a session's answers.

Per session: mean absolute deviation, bias (+ lenient, − strict), the share of answers matching
the agreed answer, within the tolerance or not, and n. Per team (each team has its drift rule):
the bias pooled over the team's last ``recent`` sessions by the random-effects model of
agreement/pooling.py with its interval, each session's shrunken bias, the criteria where they
differ most from the agreed answers over the same sessions, and the drift verdict with why
(history/drift.py). A fixed number of queries, whatever the number of sessions.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from qalibrate.accounts.models import Team, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.history import drift
from qalibrate.history.models import DriftRule, EvaluatorRecord, SessionRecord
from qalibrate.scorecards.selectors import latest_texts

# The criteria where an evaluator differs most: at most this many, each with at least this many
# answers compared over the pooled sessions (fewer say little).
MOST_CRITERIA = 8
MIN_ANSWERS = 5

# What the list and the drift check read of a row: everything but the per-criterion counts.
ROW_FIELDS = (
    "id",
    "record",
    "evaluator",
    "held_on",
    "contacts",
    "mean_abs",
    "bias",
    "deviation_sd",
    "within_tolerance",
    "answers_compared",
    "answers_matching",
    "drift",
)


@dataclass(frozen=True)
class SessionLine:
    """One session of the evaluator: the stored row (with its record and session), the bias
    shrunken towards the pooled one (None outside the pooled sessions), and whether it is one
    of the pooled sessions."""

    row: EvaluatorRecord
    shrunken: float | None
    pooled_in: bool

    @property
    def record(self) -> SessionRecord:
        return self.row.record


@dataclass(frozen=True)
class CriterionGap:
    key: str
    text: str
    differing: int
    compared: int

    @property
    def share(self) -> float:
        return self.differing / self.compared


@dataclass(frozen=True)
class TeamHistory:
    """The evaluator's sessions of one team, judged by that team's drift rule."""

    team: Team | None
    rule: DriftRule  # unsaved with the defaults when the team has set none
    sessions: list[SessionLine]  # oldest first
    verdict: drift.Verdict
    criteria: list[CriterionGap] = field(default_factory=list)

    @property
    def latest(self) -> EvaluatorRecord:
        return self.sessions[-1].row

    @property
    def tolerance(self) -> float:
        return self.verdict.tolerance


@dataclass(frozen=True)
class EvaluatorHistory:
    evaluator: User
    teams: list[TeamHistory]
    # For an automatic scorer, its trust per criterion (scorer_selectors); None for a person.
    trust: list | None = None

    @property
    def session_count(self) -> int:
        return sum(len(team.sessions) for team in self.teams)


@dataclass(frozen=True)
class EvaluatorLine:
    """One row of the evaluators list: an evaluator in one team, their latest session and the
    verdict of the team's rule on it."""

    evaluator: User
    team: Team | None
    sessions: int
    latest: EvaluatorRecord
    verdict: drift.Verdict


def visible_rows(user: User):
    return EvaluatorRecord.objects.filter(
        record__in=SessionRecord.objects.visible_to(user).values("pk")
    ).order_by("held_on", "record_id")


def rules_for(team_ids) -> dict:
    """Team id → its DriftRule; an unsaved one with the defaults for a team without one (and
    for sessions without a team). One query."""
    found = {r.team_id: r for r in DriftRule.objects.filter(team_id__in=[t for t in team_ids if t])}
    return {team_id: found.get(team_id) or DriftRule(team_id=team_id) for team_id in team_ids}


def _by_team(rows, team_of) -> dict:
    grouped: dict = defaultdict(list)
    for row in rows:
        grouped[team_of(row)].append(row)
    return grouped


def _gaps(window) -> list[tuple[str, int, int]]:
    """Per criterion key over the pooled rows: (key, differing, compared), those with enough
    answers and at least one difference, most differing first."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in window:
        for key, (differing, compared) in (row.criteria or {}).items():
            totals[key][0] += differing
            totals[key][1] += compared
    gaps = [
        (key, differing, compared)
        for key, (differing, compared) in totals.items()
        if compared >= MIN_ANSWERS and differing > 0
    ]
    gaps.sort(key=lambda g: (-g[1] / g[2], -g[1], g[0]))
    return gaps[:MOST_CRITERIA]


def _team_history(team, rule, rows) -> tuple[TeamHistory, list]:
    verdict = drift.judge(rows, rule=rule, tolerance=rows[-1].record.tolerance)
    pooled_ids = {row.pk for row in verdict.window}
    lines = [
        SessionLine(row=row, shrunken=verdict.shrunken.get(row.pk), pooled_in=row.pk in pooled_ids)
        for row in rows
    ]
    history = TeamHistory(team=team, rule=rule, sessions=lines, verdict=verdict)
    return history, _gaps(verdict.window)


def evaluator_history(*, user: User, evaluator: User) -> EvaluatorHistory:
    """The evaluator's history in the sessions ``user`` sees, one part per team (most recent
    first). Three queries: the rows with their records, the teams' rules, the criteria's texts.
    Whether ``user`` may see it at all is permissions.can_see_evaluator."""
    rows = list(
        visible_rows(user)
        .filter(evaluator=evaluator)
        .select_related("record__session", "record__team", "record__scorecard")
    )
    grouped = _by_team(rows, lambda row: row.record.team_id)
    rules = rules_for(grouped)
    parts = [_team_history(found[0].record.team, rules[t], found) for t, found in grouped.items()]
    texts = latest_texts({key for _part, gaps in parts for key, _d, _c in gaps})
    teams = []
    for part, gaps in parts:
        part.criteria.extend(
            CriterionGap(key=key, text=texts.get(key, key), differing=d, compared=c)
            for key, d, c in gaps
        )
        teams.append(part)
    teams.sort(key=lambda part: part.latest.held_on, reverse=True)
    trust = None
    if evaluator.is_automatic:
        from qalibrate.history.scorer_selectors import scorer_trust  # it reads this module

        trust = scorer_trust(user=user, scorer=evaluator)
    return EvaluatorHistory(evaluator=evaluator, teams=teams, trust=trust)


def evaluators_overview(*, user: User) -> list[EvaluatorLine]:
    """Every evaluator with a recorded session that ``user`` sees, once per team: their latest
    session's figures and the team rule's verdict, those who drift first. Three queries."""
    rows = list(
        visible_rows(user)
        .only(*ROW_FIELDS, "record__team", "record__tolerance")
        .select_related("record")
    )
    grouped = _by_team(rows, lambda row: (row.evaluator_id, row.record.team_id))
    rules = rules_for({team_id for _evaluator, team_id in grouped})
    people = User.objects.in_bulk({evaluator_id for evaluator_id, _team in grouped})
    teams = Team.objects.in_bulk({team_id for _evaluator, team_id in grouped if team_id})
    lines = [
        EvaluatorLine(
            evaluator=people[evaluator_id],
            team=teams.get(team_id),
            sessions=len(found),
            latest=found[-1],
            verdict=drift.judge(found, rule=rules[team_id], tolerance=found[-1].record.tolerance),
        )
        for (evaluator_id, team_id), found in grouped.items()
    ]
    lines.sort(
        key=lambda line: (not line.verdict.kind, str(line.evaluator).lower(), str(line.team))
    )
    return lines


def drift_verdict(*, row: EvaluatorRecord) -> drift.Verdict:
    """The team rule's verdict on a just-recorded row, as history.services.drift_check judged
    it: the evaluator's earlier rows of the same team, then this one (for the alert's words)."""
    record = row.record
    earlier = list(
        EvaluatorRecord.objects.filter(
            evaluator_id=row.evaluator_id,
            record__team_id=record.team_id,
            held_on__lte=record.held_on,
        )
        .exclude(pk=row.pk)
        .only(*ROW_FIELDS)
        .order_by("held_on", "record_id")
    )
    rule = rules_for([record.team_id])[record.team_id]
    return drift.judge([*earlier, row], rule=rule, tolerance=record.tolerance)


def teams_with_rules(*, user: User) -> list[tuple[Team, DriftRule]]:
    """The user's teams with their drift rules (the defaults when one has set none): two
    queries."""
    teams = list(visible_teams(user).order_by("name"))
    rules = rules_for([team.pk for team in teams])
    return [(team, rules[team.pk]) for team in teams]
