"""The webhooks' background jobs (huey): post what waits, and tell of actions falling due."""

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from qalibrate.notifications.tasks import leased
from qalibrate.webhooks import services


@db_task()
def deliver() -> dict:
    """Post the deliveries that are waiting (queued when an event is recorded)."""
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> dict:
    """Every minute: retries whose time has come, and whatever a stopped worker or a queue that
    was down left."""
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*/5"))
@leased("webhook-actions-due", timedelta(minutes=4))
def actions_due() -> int:
    return len(services.actions_due_record(today=timezone.localdate()))
