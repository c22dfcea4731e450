from datetime import datetime, time

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from qalibrate.accounts.models import User
from qalibrate.contacts.models import Contact
from qalibrate.evaluations.models import Evaluation, EvaluationStatus


def recent_contacts_for(*, user: User, limit: int = 10) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user).select_related("agent", "team")[:limit]


def contacts_filtered(*, user: User, filters: dict) -> QuerySet[Contact]:
    """The contact list: what the user may see, narrowed by the filters' cleaned values."""
    return contacts_narrowed(contacts_listed(user=user), filters, user=user)


def contacts_listed(*, user: User) -> QuerySet[Contact]:
    """The contacts the user may see, with what the list shows of them (the "evaluated" mark
    comes from ``evaluated_marked`` for the rows shown)."""
    return Contact.objects.visible_to(user).select_related("agent", "team")


def _submitted_visible(user: User):
    """A contact is evaluated when it has a submitted evaluation the user may see: another
    evaluator's in a blind session does not count before the reveal, so the mark and the filter
    do not tell who submitted what."""
    return Evaluation.objects.visible_to(user).filter(status=EvaluationStatus.SUBMITTED)


def evaluated_marked(contacts, *, user: User) -> list[Contact]:
    """The contacts (a page of them) with ``is_evaluated`` set, in one query for all of them.
    Read for the rows shown rather than as a subquery of the list: PostgreSQL would compute that
    subquery for every evaluation in scope before returning the first 50 contacts."""
    contacts = list(contacts)
    evaluated = set(
        _submitted_visible(user)
        .filter(contact_id__in=[contact.pk for contact in contacts])
        .values_list("contact_id", flat=True)
    )
    for contact in contacts:
        contact.is_evaluated = contact.pk in evaluated
    return contacts


def contacts_narrowed(
    contacts: QuerySet[Contact], filters: dict, *, user: User
) -> QuerySet[Contact]:
    """The contact list's filter rules (contacts.filters.ContactFilter names them), for the
    page, the API and session sampling alike; a blank filter means all."""
    if filters.get("team"):
        contacts = contacts.filter(team=filters["team"])
    if filters.get("agent"):
        contacts = contacts.filter(agent=filters["agent"])
    if filters.get("channel"):
        contacts = contacts.filter(channel=filters["channel"])
    zone = timezone.get_current_timezone()
    if filters.get("date_from"):
        contacts = contacts.filter(
            occurred_at__gte=datetime.combine(filters["date_from"], time.min, zone)
        )
    if filters.get("date_to"):
        contacts = contacts.filter(
            occurred_at__lte=datetime.combine(filters["date_to"], time.max, zone)
        )
    evaluated = Exists(_submitted_visible(user).filter(contact=OuterRef("pk")))
    if filters.get("evaluated") == "yes":
        contacts = contacts.filter(evaluated)
    elif filters.get("evaluated") == "no":
        contacts = contacts.filter(~evaluated)
    if filters.get("q"):
        # A reference typed in full finds its contact through the unique index; anything else
        # is looked for inside the references and subjects, which reads every row in scope.
        exact = contacts.filter(external_id=filters["q"].strip())
        if exact.exists():
            return exact
        contacts = contacts.filter(
            Q(external_id__icontains=filters["q"]) | Q(subject__icontains=filters["q"])
        )
    return contacts
