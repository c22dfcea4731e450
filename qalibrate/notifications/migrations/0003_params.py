"""Notifications store their kind and parameters, and are written in the reader's language when
read. Existing rows get their parameters from the session or action they are about; a row
whose action is gone, or whose reminder counts cannot be read back, keeps its stored words."""

import re
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

# Literal copies, not imports: a migration must keep working when the app's code changes.
SESSION_KINDS = {
    "invitation", "rescheduled", "materials_ready", "scoring_reminder", "results_revealed",
    "summary", "results_shared", "cancelled",
}
ACTION_KEY = re.compile(r"^action:(\d+):(?:assigned|due:(\d{4}-\d{2}-\d{2}|None))$")
REMINDER = "You still have %(left)d of %(total)d contacts to submit."


def _person(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _session_params(session, **extra) -> dict:
    return {
        "session": session.pk,
        "title": session.title,
        "scorecard": f"{session.version.scorecard.name} v{session.version.number}",
        "deadline": session.scoring_deadline.astimezone(UTC).isoformat(),
        "meeting": session.meeting_at.astimezone(UTC).isoformat(),
        "location": session.location,
        "facilitator": _person(session.facilitator),
        **extra,
    }


def _reminder_counts(body: str) -> dict | None:
    """The counts a reminder told, read back from its text in whichever language it was."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            sentence = gettext(REMINDER)
        pattern = (
            re.escape(sentence)
            .replace(re.escape("%(left)d"), r"(?P<left>\d+)")
            .replace(re.escape("%(total)d"), r"(?P<total>\d+)")
        )
        match = re.search(pattern, body)
        if match:
            return {"left": int(match["left"]), "total": int(match["total"])}
    return None


def _params(notification, FollowUpAction) -> dict:
    kind, session = notification.kind, notification.session
    if kind in SESSION_KINDS and session is not None:
        extra = {}
        if kind == "materials_ready":
            extra["contacts"] = session.session_contacts.count()
        elif kind == "summary":
            extra["summary"] = session.summary
        elif kind == "scoring_reminder":
            extra = _reminder_counts(notification.body_text)
            if extra is None:
                return {}
        return _session_params(session, **extra)
    match = ACTION_KEY.match(notification.key)
    if kind in ("action_assigned", "action_due") and match:
        action = FollowUpAction.objects.select_related("session").filter(pk=match[1]).first()
        if action is None:
            return {}
        due = match[2] if kind == "action_due" and match[2] != "None" else None
        if kind == "action_assigned" and action.due_date:
            due = action.due_date.isoformat()
        return {
            "action": action.pk,
            "session": action.session_id,
            "title": action.session.title,
            "description": action.description,
            "due": due,
        }
    return {}


def fill_params(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    FollowUpAction = apps.get_model("calibration", "FollowUpAction")
    rows = Notification.objects.select_related(
        "session__version__scorecard", "session__facilitator"
    ).order_by("pk")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:500]):  # by pages: no cursor open while writing
        last = batch[-1].pk
        for notification in batch:
            notification.params = _params(notification, FollowUpAction)
        Notification.objects.bulk_update([n for n in batch if n.params], ["params"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_alter_notification_kind"),
        ("calibration", "0004_calibrationsession_calendar_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Going back drops the field: the stored words are still there.
        migrations.RunPython(fill_params, migrations.RunPython.noop),
    ]
