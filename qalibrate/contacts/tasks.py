"""Background jobs of the contacts (huey; `qalibrate worker` finds this module by its name)."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from qalibrate.contacts import importing
from qalibrate.notifications.tasks import leased


@db_periodic_task(crontab(minute="23"))
@leased("contact-import-uploads", timedelta(minutes=30))
def import_uploads_expire() -> int:
    """Hourly: the uploads of imports checked more than a day ago and never applied."""
    return importing.import_uploads_expire()
