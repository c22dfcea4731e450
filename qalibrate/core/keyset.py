"""Pages of a long list, newest first, without OFFSET and without counting every row.

A page is asked for by where the last one ended (``?older=<cursor>``) or began
(``?newer=<cursor>``): the cursor is the row's date and id, so the database starts reading at
that point of its (date, id) index whatever the depth, where ``OFFSET 500000`` would read and
drop half a million rows first. The total is counted only up to ``COUNT_LIMIT``: beyond that a
page says "more than 10,000", which is all a person reads in it."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

COUNT_LIMIT = 10_000


@dataclass
class KeysetPage:
    rows: list
    older: str | None  # the cursor of the next, older page, if there is one
    newer: str | None  # the cursor of the previous, newer page, if there is one

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def cursor_of(row, field: str) -> str:
    return f"{getattr(row, field).isoformat()}~{row.pk}"


def _parsed(cursor: str | None) -> tuple[datetime, int] | None:
    """A cursor's (date, id), or None for a missing or malformed one (the first page)."""
    if not cursor:
        return None
    moment, _sep, pk = cursor.rpartition("~")
    try:
        return datetime.fromisoformat(moment), int(pk)
    except ValueError:
        return None


def keyset_page(
    rows: QuerySet, *, field: str, older: str | None, newer: str | None, size: int
) -> KeysetPage:
    """The page of ``rows`` (newest ``field`` first, then highest id) after ``older`` or
    before ``newer``; the first page without either. Two indexed range conditions, so the
    database can start at the cursor: ``field <= v AND (field < v OR id < pk)``."""
    after, before = _parsed(older), _parsed(newer)
    if before is not None and after is None:
        moment, pk = before
        ascending = rows.filter(
            Q(**{f"{field}__gte": moment}) & (Q(**{f"{field}__gt": moment}) | Q(pk__gt=pk))
        ).order_by(field, "pk")
        found = list(ascending[: size + 1])
        more_newer = len(found) > size
        page = list(reversed(found[:size]))
        return KeysetPage(
            rows=page,
            older=cursor_of(page[-1], field) if page else None,
            newer=cursor_of(page[0], field) if page and more_newer else None,
        )
    descending = rows.order_by(f"-{field}", "-pk")
    if after is not None:
        moment, pk = after
        descending = descending.filter(
            Q(**{f"{field}__lte": moment}) & (Q(**{f"{field}__lt": moment}) | Q(pk__lt=pk))
        )
    found = list(descending[: size + 1])
    page = found[:size]
    return KeysetPage(
        rows=page,
        older=cursor_of(page[-1], field) if len(found) > size else None,
        newer=cursor_of(page[0], field) if page and after is not None else None,
    )


def requested_page(rows: QuerySet, *, field: str, query, size: int) -> KeysetPage:
    """The page a list's ``?older=`` or ``?newer=`` asks for (``query``: request.GET)."""
    return keyset_page(
        rows, field=field, older=query.get("older"), newer=query.get("newer"), size=size
    )


def capped_count(rows: QuerySet) -> tuple[int, bool]:
    """How many rows, counted up to COUNT_LIMIT: (the count, whether there are more)."""
    counted = rows.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
