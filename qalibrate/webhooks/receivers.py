"""The webhooks app's answers to calibration's and evaluations' signals: queue the deliveries in
the change's own transaction. A failure here is logged and never undoes the change."""

import logging

from django.db import transaction

from qalibrate.webhooks import services

logger = logging.getLogger(__name__)


def session_event(sender, *, session, event, **kwargs) -> None:
    try:
        with transaction.atomic():
            services.session_event(session=session, event=f"session.{event}")
    except Exception:
        logger.exception("webhooks: could not queue session.%s of session %s", event, session.pk)


def evaluation_event(sender, *, evaluation, event, **kwargs) -> None:
    try:
        with transaction.atomic():
            services.evaluation_event(evaluation=evaluation, event=f"evaluation.{event}")
    except Exception:
        logger.exception(
            "webhooks: could not queue evaluation.%s of evaluation %s", event, evaluation.pk
        )
