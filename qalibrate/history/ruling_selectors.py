"""Reads of the book of rulings (docs/history.md): the agreed answers of completed sessions, kept
in the Ruling table when a session completes, searched in full text and filtered; and how many
rulings each criterion of a form has, for the evaluation screen.

A user reads the rulings of the records they see (``SessionRecord.objects.visible_to``), so
nothing from a session before its completion appears. Every read runs a fixed number of queries
however many rulings there are, and is shaped for 250,000 rulings (measured on SQLite):

- a page walks the sessions newest first by their date's index and the rulings of each by
  theirs, and stops once the page is full; sorting every ruling by its own date instead costs
  0.2-0.6 s;
- a page is fetched without counting the whole match: it says whether there is a next page.
  Counting every ruling matching a word reads the whole table (0.6 s), more than the page;
- the counts per criterion read only the index of the criterion keys, then take away the
  contact's own rulings (found by the contact's index) in the same query: filtering every
  ruling by scorecard and contact instead reads each row (2 s).
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from qalibrate.accounts.models import User
from qalibrate.calibration.answers import answer_label
from qalibrate.history.models import Ruling, SessionRecord
from qalibrate.scorecards.models import Criterion, Scorecard, VersionStatus

PAGE_SIZE = 25
MAX_WORDS = 10  # more words than this narrow nothing a person would notice, and cost a LIKE each


def rulings_for(*, user: User) -> QuerySet[Ruling]:
    """The rulings of the completed sessions the user sees, newest first."""
    records = SessionRecord.objects.visible_to(user)
    rulings = Ruling.objects.order_by("-held_on", "-pk")
    if records.query.has_filters():  # everything visible: no subquery to run
        rulings = rulings.filter(record__in=records.values("pk"))
    return rulings


def search_words(query: str) -> list[str]:
    """The words of a search, lower-cased as ``Ruling.search_text`` is: each must occur."""
    words = []
    for word in (query or "").lower().split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def answer_value(text: str) -> str:
    """An answer as the filter takes it: the form value (yes, no, na, 3, an option's label) or
    the words people read in their language (Yes, No, N/A)."""
    text = (text or "").strip()
    spoken = {
        gettext("Yes").lower(): "yes",
        gettext("No").lower(): "no",
        gettext("N/A").lower(): "na",
        "n/a": "na",
    }
    return spoken.get(text.lower(), text)


def rulings_narrowed(rulings: QuerySet[Ruling], filters: dict) -> QuerySet[Ruling]:
    """``rulings`` narrowed by the filters given (all optional), newest first: q (words, each
    must occur in the criterion, the answer, the reason or the contact's notes), scorecard,
    criterion (its key, followed across versions), team, date_from and date_to (the meeting's
    day), answer (a form value, or Yes, No, N/A in the reader's language)."""
    for word in search_words(filters.get("q") or ""):
        rulings = rulings.filter(search_text__contains=word)
    if filters.get("answer"):
        value = answer_value(filters["answer"])
        rulings = rulings.filter(Q(answer__iexact=value) | Q(answer_label__iexact=value))
    indexed = {"scorecard": "scorecard", "criterion": "criterion_key", "team": "team"}
    narrowing = {field: filters[name] for name, field in indexed.items() if filters.get(name)}
    # With one of these the rulings' own indexes (on it and the date) find the newest; without,
    # the sessions' index on the date leads, each session's rulings read by its index.
    day = "held_on" if narrowing else "record__held_on"
    if filters.get("date_from"):
        rulings = rulings.filter(**{f"{day}__gte": filters["date_from"]})
    if filters.get("date_to"):
        rulings = rulings.filter(**{f"{day}__lte": filters["date_to"]})
    return rulings.filter(**narrowing).order_by(f"-{day}", "-record_id", "-pk")


def rulings_shown(rulings) -> list[Ruling]:
    """The rulings with what a page shows of them, in one query: criterion, team, session; and
    the answer in the reader's language (``shown_answer``)."""
    found = list(rulings.select_related("criterion", "team", "scorecard", "record__session"))
    for ruling in found:
        ruling.shown_answer = answer_label(ruling.criterion, ruling.answer)
    return found


@dataclass(frozen=True)
class RulingPage:
    rulings: list[Ruling]
    number: int
    has_previous: bool
    has_next: bool

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_number(raw) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except (TypeError, ValueError):
        return 1


def rulings_page(
    rulings: QuerySet[Ruling], *, number: int = 1, size: int = PAGE_SIZE
) -> RulingPage:
    """One page of ``rulings`` in two queries: the ids of the page (on the rulings alone, so the
    database sorts and stops without joining), then those rulings with what is shown of them."""
    start = (number - 1) * size
    ids = list(rulings.values_list("pk", flat=True)[start : start + size + 1])
    shown = (
        {r.pk: r for r in rulings_shown(Ruling.objects.filter(pk__in=ids[:size]))} if ids else {}
    )
    return RulingPage(
        rulings=[shown[pk] for pk in ids[:size]],
        number=number,
        has_previous=number > 1,
        has_next=len(ids) > size,
    )


def criterion_rulings(
    *, user: User, key: str, exclude_contact_id: int | None = None
) -> QuerySet[Ruling]:
    """The rulings on one criterion, followed across versions by its key, that the user sees,
    newest first; without those on ``exclude_contact_id``: the evaluation screen never shows
    the agreed answer of the very contact being scored."""
    rulings = rulings_for(user=user).filter(criterion_key=key).order_by("-held_on", "-pk")
    if exclude_contact_id is not None:
        rulings = rulings.exclude(contact_id=exclude_contact_id)
    return rulings


def ruling_counts(
    *, user: User, keys: list[str], exclude_contact_id: int | None = None
) -> dict[str, int]:
    """How many rulings each of these criterion keys (a form's) has, as ``criterion_rulings``
    finds them, in one query: the rulings counted per key on an index of the keys, less those
    on ``exclude_contact_id`` (found by the contact's index). Keys without one are left out."""
    if not keys:
        return {}
    rulings = rulings_for(user=user).order_by().filter(criterion_key__in=keys)
    counted = rulings.values_list("criterion_key").annotate(n=Count("pk"))
    if exclude_contact_id is not None:
        own = rulings.filter(contact_id=exclude_contact_id)
        counted = counted.union(own.values_list("criterion_key").annotate(n=-Count("pk")), all=True)
    counts: dict[str, int] = {}
    for key, n in counted:
        counts[key] = counts.get(key, 0) + n
    return {key: n for key, n in counts.items() if n > 0}


def criterion_choices(*, user: User, scorecard: Scorecard | None = None) -> list:
    """The criteria the filter offers, grouped by scorecard: [(scorecard name, [(key, text)])],
    each key once with the text of its newest published version. One query."""
    scorecards = Scorecard.objects.visible_to(user)
    if scorecard is not None:
        scorecards = scorecards.filter(pk=scorecard.pk)
    rows = (
        Criterion.objects.filter(
            section__version__scorecard__in=scorecards,
            section__version__status=VersionStatus.PUBLISHED,
        )
        .exclude(kind="text")
        .order_by(
            "section__version__scorecard__name",
            "section__version__scorecard_id",
            "-section__version__number",
            "section__position",
            "position",
        )
        .values_list("key", "text", "section__version__scorecard__name")
    )
    groups: dict[str, list] = {}
    seen = set()
    for key, text, name in rows:
        if key not in seen:
            seen.add(key)
            groups.setdefault(name, []).append((key, text))
    return list(groups.items())
