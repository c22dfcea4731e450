from django.db.models import Q, QuerySet

from qalibrate.accounts.models import User
from qalibrate.calibration.models import CalibrationSession, ParticipantRole
from qalibrate.calibration.services import can_plan
from qalibrate.evaluations.models import Evaluation


def sessions_for(*, user: User) -> QuerySet[CalibrationSession]:
    """QA staff see every session; others the sessions they take part in."""
    sessions = CalibrationSession.objects.select_related(
        "version__scorecard", "facilitator", "team"
    )
    if can_plan(user):
        return sessions
    return sessions.filter(Q(participants__user=user)).distinct()


def progress_board(session: CalibrationSession) -> dict:
    """Who has finished what: a status per evaluator and contact, never an answer or a score."""
    contacts = [sc.contact for sc in session.session_contacts.select_related("contact__agent")]
    evaluators = [
        p.user
        for p in session.participants.filter(role=ParticipantRole.EVALUATOR).select_related("user")
    ]
    status = {
        (evaluator_id, contact_id): state
        for evaluator_id, contact_id, state in Evaluation.objects.filter(
            session=session
        ).values_list("evaluator_id", "contact_id", "status")
    }
    rows = []
    for evaluator in evaluators:
        cells = [status.get((evaluator.pk, c.pk), "") for c in contacts]
        rows.append({"evaluator": evaluator, "cells": cells, "done": cells.count("submitted")})
    return {"contacts": contacts, "rows": rows}
