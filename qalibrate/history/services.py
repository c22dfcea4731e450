"""Writing the history: a completed session's figures, rulings and drift verdicts, kept once
(docs/history.md). ``session_record_save`` runs when a session completes (calibration's
``session_completed`` signal), for imported sessions, and from the job that records any
completed session still missing."""

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from qalibrate.calibration import meeting_selectors
from qalibrate.calibration.agreement_figures import answer_table, criterion_level
from qalibrate.calibration.models import CalibrationSession, FlagKind, SessionStatus
from qalibrate.history import drift
from qalibrate.history.models import (
    CriterionRecord,
    DriftRule,
    EvaluatorRecord,
    Ruling,
    SessionRecord,
)


class NotCompleted(ValueError):
    """Only completed sessions enter the history."""


@transaction.atomic
def session_record_save(
    *, session: CalibrationSession, imported: bool = False, alerts: bool = True
) -> SessionRecord:
    """Record (or record again) what a completed session measured. ``alerts`` sends the drift
    alerts this session makes true (imported history sends none)."""
    if session.status != SessionStatus.COMPLETED:
        raise NotCompleted(session.pk)
    result = meeting_selectors.discussion(session, versus_reference=False)
    record = _session_record(session, result, imported=imported)
    answers = meeting_selectors.submitted_answers(session)
    agreed = meeting_selectors.agreed_answers(session, changes=False)
    session_contacts = [row.session_contact for row in result.contacts]
    evaluators = [row.user for row in result.evaluators]
    _evaluator_records(record, result, session_contacts, answers, agreed)
    _criterion_records(record, result, session_contacts, evaluators, answers)
    _rulings(record, result)
    if not imported:
        drift_check(record=record, alerts=alerts)
    return record


def _session_record(session, result, *, imported: bool) -> SessionRecord:
    alpha = result.totals.alpha if result.totals else None
    deviations = [row.deviation for row in result.evaluators if row.deviation is not None]
    fields = {
        "team": session.team,
        "scorecard_id": session.version.scorecard_id,
        "version": session.version,
        "held_on": timezone.localdate(session.meeting_at),
        "source_completed_at": session.completed_at or timezone.now(),
        "tolerance": float(session.tolerance),
        "evaluator_count": len(result.evaluators),
        "contact_count": len(result.contacts),
        "calibrated": result.calibrated,
        "share_within": result.share_within,
        "alpha": None if alpha is None else alpha.estimate,
        "alpha_low": None if alpha is None else alpha.low,
        "alpha_high": None if alpha is None else alpha.high,
        "mean_abs_deviation": (
            float(np.mean([d.mean_abs for d in deviations])) if deviations else None
        ),
        "imported": imported,
    }
    record, _created = SessionRecord.objects.update_or_create(session=session, defaults=fields)
    record.evaluator_records.all().delete()
    record.criterion_records.all().delete()
    record.rulings.all().delete()
    return record


def _evaluator_records(record, result, session_contacts, answers, agreed) -> None:
    against = _answers_against_agreed(result, session_contacts, answers, agreed)
    rows = []
    for k, row in enumerate(result.evaluators):
        signed = [
            c.totals[k] - c.reference_total
            for c in result.contacts
            if c.totals[k] is not None and c.reference_total is not None
        ]
        compared, matching, criteria = against.get(row.user.pk, (0, 0, {}))
        deviation = row.deviation
        rows.append(
            EvaluatorRecord(
                record=record,
                evaluator=row.user,
                held_on=record.held_on,
                contacts=len(signed),
                mean_abs=None if deviation is None else deviation.mean_abs,
                bias=None if deviation is None else deviation.bias,
                deviation_sd=float(np.std(signed, ddof=1)) if len(signed) > 1 else None,
                within_tolerance=None if deviation is None else deviation.within_tolerance,
                answers_compared=compared,
                answers_matching=matching,
                criteria=criteria,
            )
        )
    EvaluatorRecord.objects.bulk_create(rows)


def _answers_against_agreed(result, session_contacts, answers, agreed) -> dict:
    """Evaluator id → (answers with an agreed answer, how many matched it, per criterion key
    [differing, compared]); scored criteria only."""
    keys = {item.criterion.pk: item.criterion.key for item in result.criteria}
    session_contact_of = {sc.contact_id: sc.pk for sc in session_contacts}
    found: dict[int, list] = {}
    for (contact_id, criterion_id), given in answers.items():
        group_answer = agreed.get((session_contact_of.get(contact_id), criterion_id))
        if group_answer is None or criterion_id not in keys:
            continue
        for answer in given:
            if answer.form_value == "":
                continue
            same = answer.form_value == group_answer.form_value
            tally = found.setdefault(answer.evaluation.evaluator_id, [0, 0, {}])
            tally[0] += 1
            tally[1] += same
            counts = tally[2].setdefault(keys[criterion_id], [0, 0])
            counts[0] += not same
            counts[1] += 1
    return {pk: tuple(tally) for pk, tally in found.items()}


def _criterion_records(record, result, session_contacts, evaluators, answers) -> None:
    clarify = set(
        record.session.flags.filter(kind=FlagKind.CLARIFY).values_list("criterion_id", flat=True)
    )
    rows = []
    for item in result.criteria:
        criterion, figures = item.criterion, item.figures
        level, domain = criterion_level(criterion)
        table = answer_table(criterion, session_contacts, evaluators, answers)
        rows.append(
            CriterionRecord(
                record=record,
                criterion=criterion,
                key=criterion.key,
                held_on=record.held_on,
                answers=figures.n,
                agreement=figures.agreement,
                alpha=figures.alpha,
                ac1=figures.ac1,
                matches_agreed=item.matches_agreed,
                low_agreement=item.low_agreement,
                needs_clarification=criterion.pk in clarify,
                table={
                    "evaluators": [u.pk for u in evaluators],
                    "rows": table,
                    "level": level,
                    "domain": domain,
                    "yes_no": criterion.kind == "yes_no",
                },
            )
        )
    CriterionRecord.objects.bulk_create(rows)


def _rulings(record, result) -> None:
    rows = []
    for contact in result.contacts:
        notes = contact.session_contact.notes
        for item in contact.criteria:
            agreed = item.agreed
            if agreed is None or item.criterion.kind == "text" or agreed.form_value == "":
                continue
            unanimous = len(item.groups) == 1 and item.groups[0].value == agreed.form_value
            if unanimous and not agreed.reason.strip():
                continue
            label = item.agreed_label
            rows.append(
                Ruling(
                    record=record,
                    agreed_answer=agreed,
                    team_id=record.team_id,
                    scorecard_id=record.scorecard_id,
                    criterion=item.criterion,
                    criterion_key=item.criterion.key,
                    contact=contact.contact,
                    held_on=record.held_on,
                    answer=agreed.form_value[:100],
                    answer_label=label[:300],
                    reason=agreed.reason,
                    notes=notes,
                    unanimous=unanimous,
                    search_text=" ".join(
                        [item.criterion.text, label, agreed.reason, notes]
                    ).lower(),
                )
            )
    Ruling.objects.bulk_create(rows)


# --- drift -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    enabled: bool = True
    consecutive: int = 2
    recent: int = 6


def rule_for(team_id: int | None) -> Rule:
    found = DriftRule.objects.filter(team_id=team_id).first() if team_id else None
    if found is None:
        return Rule()
    return Rule(found.enabled, found.consecutive, found.recent)


def drift_of(rows: list[EvaluatorRecord], *, rule: Rule, tolerance: float) -> str:
    """The drift the newest of ``rows`` (one evaluator's records, oldest first) shows: outside
    the tolerance in the last ``rule.consecutive`` sessions, or a pooled bias over the last
    ``rule.recent`` beyond the tolerance (pooling.PooledBias.beyond). The judgement is
    drift.judge's, which the evaluator page and the alert's words use too."""
    return drift.judge(rows, rule=rule, tolerance=tolerance).kind


def drift_check(*, record: SessionRecord, alerts: bool = True) -> list[EvaluatorRecord]:
    """Judge each evaluator of the record against the team's rule; those who drift are marked
    and, with ``alerts``, the session's facilitator is told."""
    rule = rule_for(record.team_id)
    if not rule.enabled:
        return []
    drifting = []
    for row in record.evaluator_records.select_related("evaluator"):
        earlier = list(
            EvaluatorRecord.objects.filter(
                evaluator=row.evaluator,
                record__team_id=record.team_id,
                held_on__lte=record.held_on,
            )
            .exclude(pk=row.pk)
            .order_by("held_on", "record_id")
        )
        row.drift = drift_of([*earlier, row], rule=rule, tolerance=record.tolerance)
        if row.drift:
            row.save(update_fields=["drift"])
            drifting.append(row)
    if drifting and alerts:
        from qalibrate.notifications import services as notifications

        notifications.drift_alert(record=record, drifting=drifting)
    return drifting


def records_missing_save() -> int:
    """Record every completed session that has no record yet (sessions completed before the
    history was kept, or whose recording failed); no alerts for them."""
    missing = CalibrationSession.objects.filter(
        status=SessionStatus.COMPLETED, history_record__isnull=True
    ).select_related("version")
    count = 0
    for session in missing:
        session_record_save(session=session, alerts=False)
        count += 1
    return count


# --- the drift rule (evaluator_views.drift_rule_page) ------------------------------------------


@transaction.atomic
def drift_rule_save(*, team, user, enabled: bool, consecutive: int, recent: int) -> DriftRule:
    """Set a team's drift rule (QA staff), and judge the team's recorded sessions again by it,
    so the drift marks on the pages follow the rule in force. Nobody is alerted: alerts go
    when a session completes (drift_check)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from qalibrate.history.drift import CONSECUTIVE_RANGE, RECENT_RANGE
    from qalibrate.history.permissions import can_set_drift_rule

    if not can_set_drift_rule(user):
        raise PermissionDenied
    if not CONSECUTIVE_RANGE[0] <= consecutive <= CONSECUTIVE_RANGE[1]:
        raise ValidationError({"consecutive": f"out of range: {consecutive}"})
    if not RECENT_RANGE[0] <= recent <= RECENT_RANGE[1]:
        raise ValidationError({"recent": f"out of range: {recent}"})
    rule, _created = DriftRule.objects.update_or_create(
        team=team, defaults={"enabled": enabled, "consecutive": consecutive, "recent": recent}
    )
    drift_marks_refresh(team_id=team.pk, rule=rule)
    return rule


def drift_marks_refresh(*, team_id: int, rule) -> int:
    """Mark each of the team's evaluator rows with the drift ``rule`` finds in it, judged on
    the evaluator's rows of the team up to it, as drift_check does at completion; returns
    how many marks changed."""
    from qalibrate.history.evaluator_selectors import ROW_FIELDS

    rows = (
        EvaluatorRecord.objects.filter(record__team_id=team_id)
        .only(*ROW_FIELDS, "record__tolerance")
        .select_related("record")
        .order_by("held_on", "record_id")
    )
    by_evaluator: dict[int, list[EvaluatorRecord]] = {}
    for row in rows:
        by_evaluator.setdefault(row.evaluator_id, []).append(row)
    reach = max(rule.consecutive, rule.recent)
    changed = []
    for found in by_evaluator.values():
        for i, row in enumerate(found):
            window = found[max(0, i + 1 - reach) : i + 1]
            kind = drift.judge(window, rule=rule, tolerance=row.record.tolerance).kind
            if kind != row.drift:
                row.drift = kind
                changed.append(row)
    EvaluatorRecord.objects.bulk_update(changed, ["drift"])
    return len(changed)
