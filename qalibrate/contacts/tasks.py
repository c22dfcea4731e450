"""Background jobs of the contacts (huey; `qalibrate worker` finds this module by its name)."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from qalibrate.contacts import importing
from qalibrate.contacts.retention import retention_apply
from qalibrate.notifications.tasks import leased


@db_periodic_task(crontab(minute="23"))
@leased("contact-import-uploads", timedelta(minutes=30))
def import_uploads_expire() -> int:
    """Hourly: the uploads of imports checked more than a day ago and never applied."""
    return importing.import_uploads_expire()


@db_periodic_task(crontab(hour="3", minute="41"))
@leased("contact-retention", timedelta(hours=2))
def retention() -> int:
    """Nightly: recordings and transcripts past their team's retention are deleted."""
    return retention_apply()
