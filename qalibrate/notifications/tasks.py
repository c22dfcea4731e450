"""The notifications' background jobs (huey), and the lease every periodic job holds.
`qalibrate worker` runs them, and those of the other apps' tasks.py; tests run them eagerly.

Every job is safe to run twice or on two workers at once: the outbox claims each e-mail with a
conditional update, and notifications and series sessions have unique keys. The periodic jobs
also hold a lease (services.lease_take) so they do not run twice at once: it lives in the
database, expires, and is taken over at once from a worker on the same machine that died."""

import functools
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from qalibrate.notifications import services

# A little above the longest run expected (they take seconds), and below the period, so a worker
# on another machine that died costs at most one run. A run longer than its lease lets a second
# one start, which the unique keys make harmless.
REMINDERS_LEASE = timedelta(minutes=4)


def leased(name: str, duration: timedelta):
    """Run the job only while holding its lease, given back when it ends, however it ends."""

    def decorate(job):
        @functools.wraps(job)
        def run(*args, **kwargs):
            lease = services.lease_take(name, duration=duration)
            if lease is None:
                return None  # another worker is running it (logged)
            try:
                return job(*args, **kwargs)
            finally:
                services.lease_give_back(lease)

        return run

    return decorate


@db_task()
def deliver() -> dict:
    """Send the e-mails that are waiting (queued when a notification is made)."""
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*"))
def deliver_due() -> dict:
    """Every minute: retries whose time has come, whatever a stopped worker left, and whatever
    the queue could not take while it was down."""
    return services.deliver_pending()


@db_periodic_task(crontab(minute="*/5"))
@leased("reminders", REMINDERS_LEASE)
def reminders() -> int:
    now = timezone.now()
    made = services.scoring_reminders_send(now=now)
    made += services.actions_due_send(today=timezone.localdate(now))
    return len(made)
