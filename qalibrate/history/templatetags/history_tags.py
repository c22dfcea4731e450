"""{% history_nav %}: the history's sub-navigation, shown by each of its pages. Only the pages
the user may open are linked."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qalibrate.history.permissions import can_import_history

register = template.Library()

# (URL name, label, who may open it, or None: everyone who sees the history)
PAGES = [
    ("history_trends", _("Trends"), None),
    ("history_evaluators", _("Evaluators"), None),
    ("history_criteria", _("Criteria"), None),
    ("history_rulings", _("Rulings"), None),
    ("history_problems", _("Process problems"), None),
    ("history_import", _("Import past sessions"), can_import_history),
]


@register.inclusion_tag("history/_nav.html", takes_context=True)
def history_nav(context):
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    links = []
    for name, label, may in PAGES:
        if may is not None and not may(request.user):
            continue
        links.append({"url": reverse(name), "label": label, "current": name == current})
    return {"links": links}
