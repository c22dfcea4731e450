"""The calibration report page as data for the API (GET /api/v1/sessions/<id>/report/, in
qalibrate.calibration.api): every figure the page shows, from the same selector, in the shape of
qalibrate.reports.serializers.ReportSerializer."""

from dataclasses import asdict

from qalibrate.agreement.coefficients import COEFFICIENTS
from qalibrate.agreement.interpretation import benchmark_fields
from qalibrate.reports.selectors import Report

# The scale the report page reads the coefficients against.
BENCHMARK_SCALE = "landis_koch"


def _alpha(result) -> dict | None:
    """Krippendorff's alpha of the totals with its jackknife t interval; ``approximate`` when
    it rests on too few contacts to read as more than a rough range (as the page says)."""
    alpha = result.totals.alpha if result.totals else None
    if alpha is None:
        return None
    return {
        "estimate": alpha.estimate,
        "se": alpha.se,
        "low": alpha.low,
        "high": alpha.high,
        "confidence": alpha.confidence,
        "n": alpha.n,
        "approximate": result.totals_approximate,
    }


def _icc(result) -> dict | None:
    """The six ICCs of the totals, with their F intervals when these are defined."""
    if result.icc:
        return {key: asdict(estimate) for key, estimate in result.icc.items()}
    values = result.totals.icc if result.totals else None
    if not values:
        return None
    no_interval = dict.fromkeys(("low", "high", "confidence", "f_value", "df1", "df2", "p_value"))
    return {key: {"value": value, **no_interval} for key, value in values.items()}


def _coefficient(estimate) -> dict | None:
    if estimate is None:
        return None
    return estimate.as_dict() | {"benchmark": benchmark_fields(estimate, BENCHMARK_SCALE)}


def _pair(estimate) -> dict | None:
    return None if estimate is None else asdict(estimate)


def _versus_reference(row) -> dict:
    """One evaluator against the reference: Bland-Altman on the totals, kappa and AC1 per
    criterion. Nothing here names anyone, so the anonymous display needs no change."""
    return {
        "is_reference": row.is_reference,
        "versus_reference": None if row.versus_reference is None else asdict(row.versus_reference),
        "criteria_versus_reference": [
            {
                "criterion": item.criterion.pk,
                "key": item.criterion.key,
                "weights": item.weights,
                "n": item.n,
                "same": item.same,
                "kappa": _pair(item.kappa),
                "ac1": _pair(item.ac1),
            }
            for item in row.criteria_versus_reference
        ],
    }


def _spread(spread) -> dict | None:
    if spread is None:
        return None
    return {
        "n": spread.n,
        "mean": spread.mean,
        "low": spread.low,
        "high": spread.high,
        "spread": spread.spread,
        "sd": spread.sd,
    }


def report_data(report: Report) -> dict:
    result = report.discussion
    session = report.session
    previous = result.previous_session
    return {
        "session": session,
        "reference_mode": session.reference_mode,
        "tolerance": float(session.tolerance),
        "anonymous": result.anonymous,
        "headline": {
            "calibrated": result.calibrated,
            "share_within": result.share_within,
            "alpha": _alpha(result),
            "icc": _icc(result),
            "contacts": len(result.contacts),
            "evaluators": len(result.evaluators),
            "answers": report.answer_count,
            "mean_spread": result.mean_spread,
        },
        "previous_session": None
        if previous is None
        else {"id": previous.pk, "title": previous.title, "meeting_at": previous.meeting_at},
        "evaluators": [
            {
                # In the anonymous display nobody's account is named, not even by its id.
                "user": None if result.anonymous else row.user.pk,
                "label": row.label,
                "scored": row.scored,
                "mean_abs": row.deviation.mean_abs if row.deviation else None,
                "bias": row.deviation.bias if row.deviation else None,
                "max_abs": row.deviation.max_abs if row.deviation else None,
                "within_tolerance": row.deviation.within_tolerance if row.deviation else None,
                "matches_agreed": row.matches_agreed,
                "previous_mean_abs": row.previous.mean_abs if row.previous else None,
                **_versus_reference(row),
            }
            for row in result.evaluators
        ],
        "contacts": [
            {
                "number": number,
                "contact": row.contact,
                "reference_total": row.reference_total,
                "agreed_score": row.session_contact.agreed_score,
                "spread": _spread(row.spread),
                "cells": row.cells,
            }
            for number, row in enumerate(result.contacts, 1)
        ],
        "criteria": [
            {
                "criterion": row.criterion.pk,
                "key": row.criterion.key,
                "text": row.criterion.text,
                "kind": row.criterion.kind,
                "n": row.n,
                "agreement": row.agreement,
                "alpha": row.figures.alpha,
                "ac1": row.figures.ac1,
                "na_consistency": row.figures.na_consistency,
                "low_agreement": row.low_agreement,
                "flagged": row.flagged,
                "matches_agreed": row.matches_agreed,
                "previous_agreement": row.previous,
                "weights": row.figures.weights,
                "coefficients": {
                    key: _coefficient(row.figures.coefficients.get(key)) for key in COEFFICIENTS
                },
            }
            for row in result.criteria
        ],
        "raw_answers": [
            {
                "contact": raw.contact,
                "agent": raw.agent,
                "criterion": raw.criterion,
                "evaluator": raw.evaluator,
                "answer": raw.answer,
                "points": raw.points,
            }
            for raw in report.raw
        ],
    }
