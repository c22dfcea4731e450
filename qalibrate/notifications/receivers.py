"""Notifications' answers to lower apps' signals. Each runs in the sender's transaction; a
failure is logged and never undoes the change that sent it."""

import logging

from django.db import transaction

from qalibrate.notifications import services

logger = logging.getLogger(__name__)


def pair_completed(sender, *, pair, **kwargs) -> None:
    try:
        with transaction.atomic():
            services.pair_drift_alert(pair=pair)
    except Exception:
        logger.exception("notifications: could not judge the double-scored pair %s", pair.pk)
