"""An audit event's facts as people read them, in their language: the stored keys and codes
stay as they are (the CSV and the API give them raw)."""

from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Role

DETAIL_LABELS = {
    "username": _("user name tried"),
    "old": _("before"),
    "new": _("after"),
    "added": _("added"),
    "removed": _("removed"),
    "owner": _("owner"),
    "prefix": _("token begins"),
    "email": _("e-mail"),
    "role": _("role"),
    "teams": _("teams"),
    "invitation": _("invitation"),
    "sessions_ended": _("log-ins ended"),
    "tokens_revoked": _("tokens revoked"),
    "kind": _("kind"),
    "file": _("file"),
    "rows": _("rows"),
    "users": _("users"),
    "agents": _("agents"),
    "created": _("created"),
    "updated": _("updated"),
    "sessions": _("sessions"),
    "contacts": _("contacts"),
    "days": _("days"),
    "through": _("through"),
    "format": _("format"),
    "anonymous": _("anonymous"),
    "criterion": _("criterion"),
    "reason": _("reason"),
}
KIND_LABELS = {
    "contacts": _("contacts"),
    "history": _("past sessions"),
    "scorecard": _("scorecard"),
    "people": _("people"),
    "user": _("user"),
    "agent": _("agent"),
    "api": _("the API"),
}
KIND_KEYS = {"kind", "through"}
ROLE_KEYS = {"role"}
ROLE_CHANGE_KEYS = {"old", "new"}


def detail_rows(event) -> list[tuple[str, str]]:
    """(label, value) for each fact of the event, in a stable order."""
    rows = []
    for key, value in sorted(event.details.items()):
        is_role = key in ROLE_KEYS or (key in ROLE_CHANGE_KEYS and event.action == "role_changed")
        is_kind = key in KIND_KEYS
        rows.append((str(DETAIL_LABELS.get(key, key)), _shown(value, is_role, is_kind)))
    return rows


def _shown(value, is_role: bool, is_kind: bool) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if value is None or value == "":
        return "—"
    if is_role and value in Role.values:
        return str(Role(value).label)
    if is_kind and value in KIND_LABELS:
        return str(KIND_LABELS[value])
    return str(value)
