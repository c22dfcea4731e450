from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts import permissions


def navigation(request):
    """The links of the top bar, only those the signed-in user may follow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [
        (_("Home"), reverse("home")),
        (_("Calibration sessions"), reverse("session_list")),
        (_("Contacts"), reverse("contact_list")),
        (_("Evaluations"), reverse("evaluation_list")),
        (_("Scorecards"), reverse("scorecard_list")),
    ]
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
