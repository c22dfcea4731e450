from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qalibrate.accounts import permissions
from qalibrate.audit.permissions import can_see_audit
from qalibrate.double_scoring.permissions import can_see_overview
from qalibrate.history.permissions import can_see_history
from qalibrate.people.permissions import can_see_people


def navigation(request):
    """The links of the top bar, only those the signed-in user may follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [
        (pgettext_lazy("navigation", "Home"), reverse("home")),
        (pgettext_lazy("navigation", "Sessions"), reverse("session_list")),
        (pgettext_lazy("navigation", "Contacts"), reverse("contact_list")),
        (pgettext_lazy("navigation", "Evaluations"), reverse("evaluation_list")),
        (pgettext_lazy("navigation", "Scorecards"), reverse("scorecard_list")),
    ]
    if permissions.is_staff_member(user):
        links.insert(2, (pgettext_lazy("navigation", "Actions"), reverse("action_list")))
    if can_see_history(user):
        links.insert(3, (pgettext_lazy("navigation", "History"), reverse("history_trends")))
    if can_see_overview(user):
        links.insert(4, (pgettext_lazy("navigation", "Double scoring"), reverse("double_scoring")))
    if can_see_people(user):
        links.append((pgettext_lazy("navigation", "People"), reverse("people_list")))
    if can_see_audit(user):
        links.append((pgettext_lazy("navigation", "Audit trail"), reverse("audit_list")))
    if permissions.can_manage_users(user):
        links.append((_("Users and settings"), reverse("admin:index")))
    current = request.path
    return {
        "nav_links": [
            {
                "label": label,
                "url": url,
                "current": current == url or (url != "/" and current.startswith(url)),
            }
            for label, url in links
        ]
    }
