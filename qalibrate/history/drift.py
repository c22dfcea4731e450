"""When an evaluator is said to drift, and why, in words (docs/history.md, "The drift rule").

Pure: it judges rows already read (one evaluator's EvaluatorRecord rows of one team, oldest
first) and reads nothing itself, so the completion's check (services.drift_of), the evaluator
page, the API and the notification's words all say the same. The words are written from plain
parameters (``Verdict.params``), so a notification keeps them and writes them again in its
reader's language (notifications/messages.py).

The rule, per team (DriftRule): outside the tolerance in the last ``consecutive`` sessions in a
row, or the bias pooled over the last ``recent`` sessions (agreement.pooling, random effects)
beyond the tolerance with an interval that excludes 0.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qalibrate.agreement import pooling
from qalibrate.core.numbers import rounded, signed
from qalibrate.history.models import DriftKind

CONFIDENCE = 0.95
# The bounds of a team's rule (evaluator_forms.DriftRuleForm; services.drift_rule_save checks
# them again).
CONSECUTIVE_RANGE = (1, 12)
RECENT_RANGE = (2, 24)


@dataclass(frozen=True)
class Verdict:
    """What the rule says of an evaluator's newest session, with the figures it used."""

    kind: str  # "" (no drift), DriftKind.CONSECUTIVE or DriftKind.POOLED
    enabled: bool
    tolerance: float
    consecutive: int
    recent: int
    outside: list = field(default_factory=list)  # the last sessions in a row outside
    pooled: pooling.PooledBias | None = None  # over the last ``recent`` sessions
    window: list = field(default_factory=list)  # the rows pooled (the last ``recent``)
    shrunken: dict = field(default_factory=dict)  # row id → its shrunken bias

    def params(self) -> dict:
        """The verdict as plain values, enough to write its words again (``reason``)."""
        pooled = self.pooled
        return {
            "drift": str(self.kind),
            "enabled": self.enabled,
            "tolerance": self.tolerance,
            "consecutive": self.consecutive,
            "recent": self.recent,
            "outside": [[row.held_on.isoformat(), row.mean_abs] for row in self.outside],
            "pooled": None
            if pooled is None
            else {
                "estimate": pooled.estimate,
                "low": pooled.low,
                "high": pooled.high,
                "sessions": pooled.sessions,
                "contacts": pooled.contacts,
                "pooled": pooled.pooled,
            },
        }

    @property
    def reason(self) -> str:
        return reason(self.params())

    @property
    def label(self) -> str:
        """The kind of drift in words ("" when none)."""
        return DriftKind(self.kind).label if self.kind else ""


def pooled_of(rows) -> tuple[pooling.PooledBias | None, dict]:
    """The random-effects bias of ``rows`` and each row's shrunken bias (by row id); rows
    without a bias are left out."""
    usable = [r for r in rows if r.bias is not None]
    biases = [r.bias for r in usable]
    sds = [r.deviation_sd or 0.0 for r in usable]
    ns = [r.contacts for r in usable]
    pooled = pooling.pooled_bias(biases, sds, ns, confidence=CONFIDENCE)
    if pooled is None:
        return None, {}
    shrunk = pooling.shrunken_biases(biases, sds, ns)
    return pooled, {row.pk: value for row, value in zip(usable, shrunk, strict=True) if row.pk}


def judge(rows: list, *, rule, tolerance: float) -> Verdict:
    """The drift of the newest of ``rows`` (oldest first) under ``rule`` (a DriftRule or
    anything with ``enabled``, ``consecutive`` and ``recent``). The pooled figure is given
    even when the rule is off or another part of it fired: the page shows it."""
    enabled = getattr(rule, "enabled", True)
    window = rows[-rule.recent :] if rule.recent > 0 else []
    pooled, shrunken = pooled_of(window)
    last = rows[-rule.consecutive :] if rule.consecutive > 0 else []
    in_a_row = bool(last) and len(last) == rule.consecutive
    in_a_row = in_a_row and all(r.within_tolerance is False for r in last)
    kind = ""
    if enabled and in_a_row:
        kind = DriftKind.CONSECUTIVE
    elif enabled and pooled is not None and pooled.pooled and pooled.beyond(tolerance):
        kind = DriftKind.POOLED
    return Verdict(
        kind=kind,
        enabled=enabled,
        tolerance=tolerance,
        consecutive=rule.consecutive,
        recent=rule.recent,
        outside=list(last) if in_a_row else [],
        pooled=pooled,
        window=list(window),
        shrunken=shrunken,
    )


# --- words -------------------------------------------------------------------------------------


def _points(value: float) -> str:
    return rounded(value, 1)


def _day(iso: str) -> str:
    return formats.date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _pooled_words(p: dict, pooled: dict) -> str:
    return ngettext(
        "Pooled over the last %(sessions)d session (contacts: %(contacts)d), their bias is "
        "%(estimate)s points (95%% interval %(low)s to %(high)s); the tolerance is "
        "%(tolerance)s points.",
        "Pooled over the last %(sessions)d sessions (contacts: %(contacts)d), their bias is "
        "%(estimate)s points (95%% interval %(low)s to %(high)s); the tolerance is "
        "%(tolerance)s points.",
        pooled["sessions"],
    ) % {
        "sessions": pooled["sessions"],
        "contacts": pooled["contacts"],
        "estimate": signed(pooled["estimate"]),
        "low": signed(pooled["low"]),
        "high": signed(pooled["high"]),
        "tolerance": _points(p["tolerance"]),
    }


def reason(p: dict) -> str:
    """Why the rule fired, or did not, in the active language, from ``Verdict.params()``."""
    pooled = p.get("pooled")
    if p["drift"] == DriftKind.CONSECUTIVE:
        values = ", ".join(
            _("%(value)s on %(day)s") % {"value": _points(value), "day": _day(day)}
            for day, value in p["outside"]
        )
        return ngettext(
            "Outside the tolerance of %(tolerance)s points in the last %(count)d session: "
            "mean deviation %(values)s.",
            "Outside the tolerance of %(tolerance)s points in the last %(count)d sessions in a "
            "row: mean deviation %(values)s.",
            p["consecutive"],
        ) % {"count": p["consecutive"], "values": values, "tolerance": _points(p["tolerance"])}
    if p["drift"] == DriftKind.POOLED:
        return " ".join(
            [
                _pooled_words(p, pooled),
                _(
                    "It passes the tolerance and its interval excludes 0: they score "
                    "lastingly higher than the agreed answers (lenient), not in one session only."
                )
                if pooled["estimate"] > 0
                else _(
                    "It passes the tolerance and its interval excludes 0: they score "
                    "lastingly lower than the agreed answers (strict), not in one session only."
                ),
            ]
        )
    if not p.get("enabled", True):
        return _("Drift alerts are off for this team: no rule is applied.")
    words = [
        ngettext(
            "Not outside the tolerance in the last %(count)d session.",
            "Not outside the tolerance in %(count)d sessions in a row.",
            p["consecutive"],
        )
        % {"count": p["consecutive"]}
    ]
    if pooled is None:
        words.append(_("No bias to pool yet: too few contacts."))
    elif not pooled["pooled"]:
        words.append(_("One session only: nothing to pool yet."))
    else:
        words.append(_pooled_words(p, pooled))
        words.append(_("That is not beyond the tolerance with an interval that excludes 0."))
    return " ".join(words)
