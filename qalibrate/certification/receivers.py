"""Certification's answer to evaluations' signal: a submitted gold evaluation is judged by the
stopping rule in the submission's transaction; a failure is logged and never undoes it."""

import logging

from django.db import transaction

from qalibrate.certification import services

logger = logging.getLogger(__name__)


def evaluation_event(sender, *, evaluation, event, **kwargs) -> None:
    if event != "submitted":
        return
    try:
        with transaction.atomic():
            services.attempt_submitted(evaluation=evaluation)
    except Exception:
        logger.exception("certification: could not judge evaluation %s", evaluation.pk)
