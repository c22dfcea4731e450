"""The calibration report page as data: every figure the page shows, from the same selector."""

from qalibrate.reports.selectors import Report


def _alpha(alpha) -> dict | None:
    if alpha is None:
        return None
    return {
        "estimate": alpha.estimate,
        "low": alpha.low,
        "high": alpha.high,
        "confidence": alpha.confidence,
        "n_boot": alpha.n_boot,
        "n_undefined": alpha.n_undefined,
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
    totals = result.totals
    previous = result.previous_session
    return {
        "session": session,
        "reference_mode": session.reference_mode,
        "tolerance": float(session.tolerance),
        "anonymous": result.anonymous,
        "headline": {
            "calibrated": result.calibrated,
            "share_within": result.share_within,
            "alpha": _alpha(totals.alpha if totals else None),
            "icc": dict(totals.icc) if totals and totals.icc else None,
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
