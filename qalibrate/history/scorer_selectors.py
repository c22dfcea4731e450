"""How far an automatic scorer can be trusted, criterion by criterion, read from the stored
records of the completed sessions it scored in (never from their answers).

Per criterion, pooled over those sessions: the share of the scorer's answers that matched the
agreed answer, with its 95% Wilson interval (agreement/proportion.py); beside it, the people's
agreement with each other on that criterion in the same sessions: the percent agreement of the
pooled panel without the automatic scorers, N/A left out, counting exact matches only (no
partial credit for near points on a scale: the scorer's matches are exact too). The
criterion is trustworthy for the scorer once the interval's lower bound is above the people's
agreement: only then has it shown, beyond chance, that it matches the group's answer more often
than two people match each other. Until then it is "not yet trustworthy"."""

from collections import defaultdict
from dataclasses import dataclass

from qalibrate.accounts.models import User
from qalibrate.agreement.coefficients import Estimate, agreement_coefficients
from qalibrate.agreement.proportion import Share, wilson
from qalibrate.agreement.ratings import AgreementError
from qalibrate.history.criterion_selectors import answered_only, pooled_table
from qalibrate.history.evaluator_selectors import visible_rows
from qalibrate.history.models import CriterionRecord
from qalibrate.scorecards.selectors import latest_texts


@dataclass(frozen=True)
class CriterionTrust:
    key: str
    text: str
    sessions: int
    scorer: Share  # its answers matching the agreed answer
    humans: Estimate | None  # the people's percent agreement with each other; None: too few

    @property
    def trustworthy(self) -> bool:
        return (
            self.scorer.low is not None
            and self.humans is not None
            and self.scorer.low > self.humans.value
        )


def _people_only(table: dict, automatic: set[int]) -> dict:
    keep = [i for i, pk in enumerate(table.get("evaluators", [])) if pk not in automatic]
    return {
        **table,
        "evaluators": [table["evaluators"][i] for i in keep],
        "rows": [[row[i] for i in keep] for row in table.get("rows", [])],
    }


def people_agreement(tables: list[dict]) -> Estimate | None:
    """Exact percent agreement of the pooled panel (the tables' columns united by user id);
    None when no contact has two answers."""
    if not tables:
        return None
    newest = tables[-1]
    rows, _evaluators = pooled_table(tables)
    try:
        family = agreement_coefficients(
            answered_only(rows),
            categories=["yes", "no"] if newest.get("yes_no") else newest.get("domain"),
            weights="identity",
            coefficients=("percent_agreement",),
        )
    except AgreementError:
        return None
    return family.get("percent_agreement")


def scorer_trust(*, user: User, scorer: User) -> list[CriterionTrust]:
    """Each criterion the scorer answered in the recorded sessions ``user`` sees, least
    trustworthy first. Four queries, whatever the number of sessions."""
    rows = list(visible_rows(user).filter(evaluator=scorer).only("record_id", "criteria"))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # matching, compared, sessions
    for row in rows:
        for key, (differing, compared) in (row.criteria or {}).items():
            counts[key][0] += compared - differing
            counts[key][1] += compared
            counts[key][2] += 1
    if not counts:
        return []
    automatic = set(User.objects.filter(is_automatic=True).values_list("pk", flat=True))
    tables: dict[str, list[dict]] = defaultdict(list)
    records = [row.record_id for row in rows]
    for key, table in (
        CriterionRecord.objects.filter(record_id__in=records, key__in=counts)
        .order_by("held_on", "record_id")
        .values_list("key", "table")
    ):
        tables[key].append(_people_only(table, automatic))
    texts = latest_texts(counts)
    result = [
        CriterionTrust(
            key=key,
            text=texts.get(key, key),
            sessions=sessions,
            scorer=wilson(matching, compared),
            humans=people_agreement(tables[key]),
        )
        for key, (matching, compared, sessions) in counts.items()
        if compared
    ]
    result.sort(key=lambda t: (t.trustworthy, t.scorer.low or 0, t.key))
    return result
