"""Which contacts the next session should discuss, each with its reasons (the session planner's
proposals). A read, with a fixed number of queries.

The pool: the team's contacts evaluated on the scorecard outside any session in the last
POOL_DAYS (the newest POOL_SIZE evaluations), that no session has taken up yet. A contact earns
a reason, each with a weight, when:

- its double scoring disagreed beyond the tolerance (double_scoring.selectors.candidates), 3;
- its evaluation failed a critical criterion (one answer decided the whole score), 2;
- a criterion whose wording changed in the newest published version was answered below its
  top (the session checks the new wording is read alike), 1.5;
- a criterion of low agreement was answered below its top: flagged "low agreement" in its
  latest recorded session, or with less than LOW_SHARE of double-scored pairs alike, 1.

Proposals are the contacts with the most weight (newest first among equals), spread over the
agents: no agent gets more than its share of the places while others have contacts to offer.
A random sample stays one click away on the plan page."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Team, User
from qalibrate.calibration.models import SessionContact
from qalibrate.contacts.models import Contact
from qalibrate.core.numbers import rounded
from qalibrate.double_scoring.models import Pair
from qalibrate.double_scoring.selectors import candidates, criterion_counts
from qalibrate.evaluations.models import Answer, Evaluation, EvaluationStatus
from qalibrate.history.criterion_selectors import criteria_overview, published_rows, wording_changes
from qalibrate.scorecards.models import ScorecardVersion
from qalibrate.scorecards.scoring import InvalidAnswer, criterion_points

POOL_DAYS = 60
POOL_SIZE = 500
LOW_SHARE = 0.8
MIN_PAIRS = 5  # pairs a criterion needs before its share of same answers is believed

WEIGHTS = {"pair": 3.0, "critical": 2.0, "reworded": 1.5, "low_agreement": 1.0}


@dataclass
class Proposal:
    contact: Contact
    reasons: list[str] = field(default_factory=list)
    weight: float = 0.0
    newest: object = None

    def add(self, kind: str, text: str) -> None:
        if text not in self.reasons:
            self.reasons.append(text)
            self.weight += WEIGHTS[kind]


def _pool(*, user: User, team: Team, version: ScorecardVersion) -> list[Evaluation]:
    since = timezone.now() - timedelta(days=POOL_DAYS)
    taken = SessionContact.objects.filter(contact_id=OuterRef("contact_id"))
    return list(
        Evaluation.objects.visible_to(user)
        .filter(
            status=EvaluationStatus.SUBMITTED,
            session__isnull=True,
            agreed_in__isnull=True,
            pair_as_second__isnull=True,
            gold_attempt__isnull=True,
            contact__team=team,
            version__scorecard_id=version.scorecard_id,
            submitted_at__gte=since,
        )
        .exclude(Exists(taken))
        .select_related("contact__agent")
        .order_by("-submitted_at", "-pk")[:POOL_SIZE]
    )


def _low_agreement_keys(*, user: User, team: Team, version: ScorecardVersion) -> dict[str, str]:
    """Criterion key → its text, for the criteria of low agreement."""
    overview = criteria_overview(user=user, scorecard_id=version.scorecard_id)
    low = {
        line.criterion.key: line.criterion.text
        for line in overview.lines
        if line.latest is not None and line.latest.low_agreement
    }
    pairs = (
        Pair.objects.visible_to(user)
        .completed()
        .filter(team=team, first__version__scorecard_id=version.scorecard_id)
    )
    for key, (same, compared) in criterion_counts(pairs.only("criteria")).items():
        if compared >= MIN_PAIRS and same / compared < LOW_SHARE:
            low.setdefault(key, key)
    return low


def _reworded_keys(version: ScorecardVersion) -> dict[str, str]:
    """Criterion key → its text, for the criteria whose wording changed in ``version``."""
    keys = list(
        version.sections.values_list("criteria__key", flat=True).exclude(criteria__key=None)
    )
    rows = defaultdict(list)
    for row in published_rows(keys, [version.scorecard_id]):
        rows[row.key].append(row)
    found = {}
    for key, history in rows.items():
        for _before, after, _changes in wording_changes(history):
            if after.section.version_id == version.pk:
                found[key] = after.text
    return found


def _below_top(answer: Answer) -> tuple[bool, bool] | None:
    """(below the top, a failed critical) for a scored answer; None when left out."""
    if answer.is_na or answer.criterion.kind == "text" or not answer.value:
        return None
    try:
        earned, possible = criterion_points(answer.criterion.scoring_spec(), answer.scoring_value())
    except (InvalidAnswer, ValueError):
        return None
    failed = answer.criterion.critical != "none" and possible > 0 and earned == 0
    return earned < possible, failed


def _spread(proposals: list[Proposal], count: int) -> list[Proposal]:
    """The heaviest first, no agent above its share while others wait."""
    ranked = sorted(proposals, key=lambda p: (-p.weight, -(p.newest.timestamp())))
    agents = {p.contact.agent_id for p in ranked}
    cap = max(1, math.ceil(count / max(1, len(agents))))
    chosen, per_agent, left = [], defaultdict(int), []
    for proposal in ranked:
        if len(chosen) < count and per_agent[proposal.contact.agent_id] < cap:
            chosen.append(proposal)
            per_agent[proposal.contact.agent_id] += 1
        else:
            left.append(proposal)
    return chosen + left[: count - len(chosen)]


def proposals(
    *, user: User, team: Team | None, version: ScorecardVersion | None, count: int
) -> list[Proposal]:
    """Up to ``count`` contacts for the team's next session on the version, with reasons."""
    if team is None or version is None or count < 1:
        return []
    pool = _pool(user=user, team=team, version=version)
    if not pool:
        return []
    found: dict[int, Proposal] = {}

    def proposal(evaluation: Evaluation) -> Proposal:
        made = found.setdefault(evaluation.contact_id, Proposal(evaluation.contact))
        made.newest = max(filter(None, [made.newest, evaluation.submitted_at]))
        return made

    by_contact = {evaluation.contact_id: evaluation for evaluation in pool}
    for pair in candidates(user=user, limit=POOL_SIZE):
        evaluation = by_contact.get(pair.first.contact_id)
        if evaluation is not None:
            text = _("Double scoring: the two scores are %(points)s points apart.") % {
                "points": rounded(pair.deviation, 1)
            }
            proposal(evaluation).add("pair", text)
    low = _low_agreement_keys(user=user, team=team, version=version)
    reworded = _reworded_keys(version)
    answers = Answer.objects.filter(evaluation__in=[e.pk for e in pool]).select_related("criterion")
    evaluations = {evaluation.pk: evaluation for evaluation in pool}
    for answer in answers:
        judged = _below_top(answer)
        if judged is None:
            continue
        below, failed = judged
        evaluation, key = evaluations[answer.evaluation_id], answer.criterion.key
        named = {"criterion": answer.criterion.text}
        if failed:
            proposal(evaluation).add("critical", _("Failed the critical “%(criterion)s”.") % named)
        if below and key in reworded:
            text = _("“%(criterion)s” was reworded in this version.") % named
            proposal(evaluation).add("reworded", text)
        if below and key in low:
            text = _("“%(criterion)s” has low agreement between evaluators.") % named
            proposal(evaluation).add("low_agreement", text)
    return _spread(list(found.values()), count)
