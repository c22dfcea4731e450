"""Retention of personal data in recordings and transcripts (GDPR, 152-FZ): a team may keep them
only so many days after the contact (Team.recording_retention_days). The contact, its
evaluations, answers and every figure stay; only the recording file and the transcript go."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qalibrate.accounts.models import Team
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record
from qalibrate.contacts.models import Contact

logger = logging.getLogger(__name__)


def retention_apply(*, now: datetime | None = None) -> int:
    """Delete the recordings and transcripts past their team's retention; returns how many
    contacts lost them. One audit entry per team that had any."""
    now = now or timezone.now()
    cleared = 0
    for team in Team.objects.exclude(recording_retention_days=None):
        cleared += _team_apply(team, now - timedelta(days=team.recording_retention_days))
    return cleared


def _team_apply(team: Team, before: datetime) -> int:
    due = Contact.objects.filter(team=team, occurred_at__lt=before).filter(
        ~Q(media="") | ~Q(transcript=[])
    )
    count = 0
    for contact in due.iterator(chunk_size=500):
        name = contact.media.name
        with transaction.atomic():
            Contact.objects.filter(pk=contact.pk).update(media="", transcript=[])
        if name:
            # After the row no longer names it: a crash in between leaves a stray file, never
            # a contact pointing at a missing one.
            contact.media.storage.delete(name)
        count += 1
    if count:
        audit_record(
            action=AuditAction.RETENTION_APPLIED,
            team=team,
            details={"contacts": count, "days": team.recording_retention_days},
        )
        logger.info("retention: %d contacts of %s cleared", count, team)
    return count
