"""Pages by cursor (core.keyset): every row once, in order, in both directions, whatever the
ties in the date; the count stops at its cap."""

from datetime import UTC, datetime, timedelta

import pytest

from qalibrate.contacts.models import Contact
from qalibrate.core import keyset
from tests.factories import AgentFactory, ContactFactory


@pytest.fixture
def contacts(db):
    agent = AgentFactory()
    start = datetime(2026, 3, 1, tzinfo=UTC)
    # Three contacts share each moment: the id decides among them.
    return [
        ContactFactory(agent=agent, team=agent.team, occurred_at=start + timedelta(hours=i // 3))
        for i in range(23)
    ]


def pages(rows, *, size):
    found, cursor = [], None
    while True:
        page = keyset.keyset_page(rows, field="occurred_at", older=cursor, newer=None, size=size)
        found.append(page)
        if page.older is None:
            return found
        cursor = page.older


def test_older_pages_hold_every_row_once_newest_first(contacts):
    every = list(Contact.objects.order_by("-occurred_at", "-pk"))
    walked = pages(Contact.objects.all(), size=5)
    assert [len(page) for page in walked] == [5, 5, 5, 5, 3]
    assert [row for page in walked for row in page] == every
    assert walked[0].newer is None and all(page.newer for page in walked[1:])


def test_newer_goes_back_to_the_same_pages(contacts):
    walked = pages(Contact.objects.all(), size=5)
    for earlier, later in zip(walked, walked[1:], strict=False):
        back = keyset.keyset_page(
            Contact.objects.all(), field="occurred_at", older=None, newer=later.newer, size=5
        )
        assert back.rows == earlier.rows
    first = keyset.keyset_page(
        Contact.objects.all(), field="occurred_at", older=None, newer=walked[1].newer, size=5
    )
    assert first.newer is None  # nothing newer than the first page


def test_a_malformed_cursor_is_the_first_page(contacts):
    first = keyset.keyset_page(
        Contact.objects.all(), field="occurred_at", older=None, newer=None, size=5
    )
    for nonsense in ("", "x", "yesterday~3", "2026-03-01T00:00:00~x"):
        page = keyset.keyset_page(
            Contact.objects.all(), field="occurred_at", older=nonsense, newer=nonsense, size=5
        )
        assert page.rows == first.rows


def test_the_count_stops_at_its_cap(contacts, monkeypatch):
    assert keyset.capped_count(Contact.objects.all()) == (23, False)
    monkeypatch.setattr(keyset, "COUNT_LIMIT", 10)
    assert keyset.capped_count(Contact.objects.all()) == (10, True)
