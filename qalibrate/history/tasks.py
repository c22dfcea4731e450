"""Background jobs of the history (huey; `qalibrate worker` finds this module by its name).

A session is recorded when it completes; ``history_records`` records, every hour, any completed
session still without a record (completed before the history was kept, or whose recording
failed), so the history catches up by itself."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from qalibrate.history import services
from qalibrate.notifications.tasks import leased

HISTORY_LEASE = timedelta(minutes=30)


@db_periodic_task(crontab(minute="7"))
@leased("history", HISTORY_LEASE)
def history_records() -> int:
    return services.records_missing_save()
