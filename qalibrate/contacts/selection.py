"""The contacts ticked in the contact list, kept in the user's session so that ticks survive
paging and filtering, and a reload or a second tab. Only ids are kept; what is shown of them
goes through Contact.objects.visible_to, so a selection never reveals a contact."""

from collections.abc import Iterable

from qalibrate.accounts.models import User
from qalibrate.contacts.models import Contact

SESSION_KEY = "contact_selection"
# A calibration session holds up to 10 contacts; the cap only keeps the session row small.
MAX_SELECTED = 200


def selection_ids(session) -> list[int]:
    return list(session.get(SESSION_KEY, []))


def selection_update(session, *, shown: Iterable[int], ticked: Iterable[int]) -> list[int]:
    """Record one page's ticks: of the contacts ``shown`` on it, exactly those ``ticked`` are
    selected; the selection made on other pages stays, in the order things were ticked. The
    whole page's state is sent each time, so repeated or reordered requests end the same."""
    shown = set(shown)
    ticked = [pk for pk in dict.fromkeys(ticked) if pk in shown]
    current = selection_ids(session)
    kept = [pk for pk in current if pk not in shown or pk in ticked]
    selected = (kept + [pk for pk in ticked if pk not in current])[:MAX_SELECTED]
    session[SESSION_KEY] = selected
    return selected


def selection_clear(session) -> None:
    session.pop(SESSION_KEY, None)


def selected_contacts(*, user: User, session) -> list[Contact]:
    """The selected contacts the user may see, in the order they were ticked."""
    ids = selection_ids(session)
    found = Contact.objects.visible_to(user).select_related("agent", "team").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]
