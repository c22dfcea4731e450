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


def pair_drawn(sender, *, pair, **kwargs) -> None:
    try:
        with transaction.atomic():
            services.second_evaluation_notify(pair=pair)
    except Exception:
        logger.exception("notifications: could not tell of the second evaluation of %s", pair.pk)


def certification_started(sender, *, certification, **kwargs) -> None:
    try:
        with transaction.atomic():
            services.certification_notify(certification=certification)
    except Exception:
        logger.exception("notifications: could not tell of certification %s", certification.pk)
