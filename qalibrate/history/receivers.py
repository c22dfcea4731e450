"""The history app's answers to calibration's signals."""

import logging

from django.db import transaction

from qalibrate.history import services

logger = logging.getLogger(__name__)


def record_completed_session(sender, *, session, **kwargs) -> None:
    """Keep the figures of a session that has just completed. A failure here must never undo
    the completion: it is logged, and the periodic job records the session later."""
    try:
        with transaction.atomic():
            services.session_record_save(session=session)
    except Exception:
        logger.exception("history: could not record session %s", session.pk)
