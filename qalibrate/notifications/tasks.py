"""The background jobs (huey). `qalibrate worker` runs them; tests run them eagerly.

Every job is safe to run twice or on two workers at once: the outbox claims each e-mail with a
conditional update, and notifications and series sessions have unique keys."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from qalibrate.notifications import services


@db_task()
def deliver() -> dict:
    """Send the e-mails that are waiting (queued when a notification is made)."""
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> dict:
    """Every minute: retries whose time has come, and whatever a stopped worker left."""
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("reminders")
def reminders() -> int:
    now = timezone.now()
    made = services.scoring_reminders_send(now=now)
    made += services.actions_due_send(today=timezone.localdate(now))
    return len(made)


@db_periodic_task(crontab(minute="*/15"))
@lock_task("series")
def series_sessions() -> int:
    """Create the next sessions of the recurring series, a set number of days ahead."""
    from qalibrate.calibration.series import series_create_due_sessions

    return len(series_create_due_sessions(now=timezone.now()))
