"""Double scoring's answer to evaluations' signal: a submitted evaluation may be drawn for a
second evaluation, or complete its pair. Sent inside the submission's transaction; a failure
here is logged and never undoes the submission."""

import logging

from django.db import transaction

from qalibrate.double_scoring import services

logger = logging.getLogger(__name__)


def evaluation_event(sender, *, evaluation, event, **kwargs) -> None:
    if event != "submitted":
        return
    try:
        with transaction.atomic():
            services.evaluation_submitted(evaluation=evaluation)
    except Exception:
        logger.exception("double scoring: could not handle evaluation %s", evaluation.pk)
