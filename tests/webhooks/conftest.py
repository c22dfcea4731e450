import pytest

from qalibrate.webhooks.models import SUBSCRIBABLE, Webhook
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def webhook(db, receiver):
    """Every event of every team, posted to the test's receiver."""
    return Webhook.objects.create(
        name="Data warehouse", url=receiver.url, events=[e.value for e in SUBSCRIBABLE]
    )
