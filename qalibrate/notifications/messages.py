"""The words of a notification. A notification keeps its kind and parameters: ids, and the facts
of the event as they were then (names, times in UTC, counts). Its subject and body are written
from them each time it is shown or mailed, in the active language and the reader's time zone, so
a notification made while its reader used Swedish reads in English once they switch.

Nothing here reads the database: a page of thirty costs no query, and a notification whose
session or action has since been deleted still reads as it did. Rows made before parameters
existed, and that the data migration could not fill, show the words stored when they were made.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qalibrate.core.numbers import rounded, signed
from qalibrate.history.drift import reason
from qalibrate.notifications.models import Kind

log = logging.getLogger(__name__)

SESSION_KINDS = frozenset(
    {
        Kind.INVITATION,
        Kind.RESCHEDULED,
        Kind.MATERIALS_READY,
        Kind.SCORING_REMINDER,
        Kind.RESULTS_REVEALED,
        Kind.SUMMARY,
        Kind.RESULTS_SHARED,
        Kind.CANCELLED,
    }
)
ACTION_KINDS = frozenset({Kind.ACTION_ASSIGNED, Kind.ACTION_DUE})


@dataclass
class Message:
    kind: str
    subject: str
    paragraphs: list[str]
    facts: list[tuple[str, str]] = field(default_factory=list)
    # The few facts worth a line in the notification list (times, due dates).
    highlights: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    button: str = ""
    # Written from the words stored when it was made: its parameters could not be read.
    stored: bool = False

    @property
    def body(self) -> str:
        return "\n\n".join(paragraph for paragraph in self.paragraphs if paragraph)


# --- parameters, taken when the event happens ------------------------------------------------


def session_params(session, **extra) -> dict:
    """The facts of a session worth telling, as they are at the moment of the event."""
    return {
        "session": session.pk,
        "title": session.title,
        "scorecard": f"{session.version.scorecard.name} v{session.version.number}",
        "deadline": session.scoring_deadline.astimezone(UTC).isoformat(),
        "meeting": session.meeting_at.astimezone(UTC).isoformat(),
        "location": session.location,
        "facilitator": str(session.facilitator),
        **extra,
    }


def action_params(action) -> dict:
    return {
        "action": action.pk,
        "session": action.session_id,
        "title": action.session.title,
        "description": action.description,
        "due": action.due_date.isoformat() if action.due_date else None,
    }


# --- words, written when shown or sent ---------------------------------------------------------


def reader_zone(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _when(moment: str, zone: ZoneInfo) -> str:
    local = datetime.fromisoformat(moment).astimezone(zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _session_message(kind: str, p: dict, zone: ZoneInfo) -> Message:
    title = {"title": p["title"]}
    url = reverse("session_detail", args=[p["session"]])
    deadline = (_("Scoring deadline"), _when(p["deadline"], zone))
    meeting = (_("Meeting"), _when(p["meeting"], zone))
    facts = [(_("Scorecard"), p["scorecard"]), deadline, meeting]
    if p.get("location"):
        facts.append((_("Place or video link"), p["location"]))
    facts.append((_("Facilitator"), p["facilitator"]))
    ahead = [deadline, meeting]

    def message(subject, paragraphs, button, *, highlights=ahead, link=url, shown_facts=facts):
        return Message(kind, subject, paragraphs, shown_facts, highlights, link, button)

    if kind == Kind.INVITATION:
        return message(
            _("Invitation: %(title)s") % title,
            [
                _(
                    "You are invited to the calibration session “%(title)s”. The calendar "
                    "invitation is attached; the contacts open for scoring before the meeting."
                )
                % title
            ],
            _("Open the session"),
        )
    if kind == Kind.RESCHEDULED:
        return message(
            _("Moved: %(title)s") % title,
            [
                _(
                    "The calibration session “%(title)s” has a new time. The attached update moves "
                    "it in your calendar."
                )
                % title
            ],
            _("Open the session"),
        )
    if kind == Kind.MATERIALS_READY:
        return message(
            _("Ready to score: %(title)s") % title,
            [
                _(
                    "The contacts of “%(title)s” are ready. Score each one on your own, before the "
                    "deadline; nobody sees your answers until the facilitator reveals them."
                )
                % title,
                _("Contacts to score: %(count)d.") % {"count": p["contacts"]},
            ],
            _("Start scoring"),
        )
    if kind == Kind.SCORING_REMINDER:
        return message(
            _("Reminder: score %(title)s") % title,
            [
                _("Scoring for “%(title)s” closes at %(deadline)s.")
                % {**title, "deadline": deadline[1]},
                _("You still have %(left)d of %(total)d contacts to submit.")
                % {"left": p["left"], "total": p["total"]},
            ],
            _("Continue scoring"),
        )
    if kind == Kind.RESULTS_REVEALED:
        return message(
            _("Scores revealed: %(title)s") % title,
            [
                _(
                    "The facilitator revealed the scores of “%(title)s”. You can see how everyone "
                    "scored before the meeting."
                )
                % title
            ],
            _("See the scores"),
            highlights=[meeting],
            link=reverse("session_discussion", args=[p["session"]]),
        )
    if kind == Kind.SUMMARY:
        return message(
            _("Summary: %(title)s") % title,
            [
                _("“%(title)s” is completed. The summary is below and the report is attached.")
                % title,
                p.get("summary", ""),
            ],
            _("Open the session"),
            highlights=[meeting],
        )
    if kind == Kind.RESULTS_SHARED:
        # An agent reads this: no facts, so nothing about who scored or facilitated.
        return message(
            _("Calibration results on your contacts"),
            [
                _(
                    "The quality team calibrated on contacts of yours in “%(title)s”. You can read "
                    "the agreed evaluation and the feedback."
                )
                % title
            ],
            _("Read the results"),
            highlights=[],
            shown_facts=[],
        )
    if kind == Kind.CANCELLED:
        return message(
            _("Cancelled: %(title)s") % title,
            [
                _(
                    "The calibration session “%(title)s” is cancelled. The attached update removes "
                    "it from your calendar."
                )
                % title
            ],
            _("Open the session"),
            highlights=[meeting],
        )
    raise ValueError(kind)


def _action_message(kind: str, p: dict) -> Message:
    due = formats.date_format(date.fromisoformat(p["due"]), "DATE_FORMAT") if p["due"] else None
    shown_due = (_("Due"), due or _("none"))
    facts = [(_("Action"), p["description"]), shown_due, (_("Calibration session"), p["title"])]
    url = reverse("action_list")
    if kind == Kind.ACTION_ASSIGNED:
        return Message(
            kind,
            _("Follow-up action for you: %(action)s") % {"action": p["description"]},
            [_("A follow-up action from “%(title)s” is yours.") % {"title": p["title"]}],
            facts,
            [shown_due],
            url,
            _("See your actions"),
        )
    return Message(
        kind,
        _("Due: %(action)s") % {"action": p["description"]},
        [
            _("Your follow-up action is due on %(due)s and is not done yet.")
            % {"due": due or _("none")}
        ],
        facts,
        [shown_due],
        url,
        _("See your actions"),
    )


def drift_params(record, row, verdict) -> dict:
    """An evaluator drifting in a recorded session: who, where, and the rule's figures
    (history.drift.Verdict.params), as they were when the rule fired."""
    evaluator = row.evaluator
    return {
        "session": record.session_id,
        "title": record.session.title,
        "held_on": record.held_on.isoformat(),
        "team": str(record.team) if record.team_id else "",
        "evaluator": evaluator.pk,
        "name": str(evaluator),
        "bias": row.bias,
        "mean_abs": row.mean_abs,
        **verdict.params(),
    }


def _drift_message(kind: str, p: dict) -> Message:
    name = {"name": p["name"], "title": p["title"]}
    facts = [(_("Evaluator"), p["name"]), (_("Calibration session"), p["title"])]
    if p["team"]:
        facts.append((_("Team"), p["team"]))
    if p["mean_abs"] is not None:
        facts.append((_("Mean deviation in this session"), rounded(p["mean_abs"], 1)))
    if p["bias"] is not None:
        facts.append((_("Bias in this session"), signed(p["bias"])))
    facts.append((_("Tolerance (points)"), rounded(p["tolerance"], 1)))
    return Message(
        kind,
        _("An evaluator drifts: %(name)s") % name,
        [
            _(
                "By the team's drift rule, %(name)s drifts after “%(title)s”. Their page shows "
                "each session, the pooled bias with its interval and the criteria where they "
                "differ most from the agreed answers."
            )
            % name,
            reason(p),
        ],
        facts,
        [(_("Evaluator"), p["name"])],
        reverse("history_evaluator", args=[p["evaluator"]]),
        _("Open their page"),
    )


def pair_drift_params(pair, evaluator, run: int) -> dict:
    """An evaluator outside the tolerance in double scoring, as it was when the pair completed."""
    return {
        "pair": pair.pk,
        "team": str(pair.team),
        "evaluator": evaluator.pk,
        "name": str(evaluator),
        "run": run,
        "deviation": pair.deviation,
        "tolerance": float(pair.tolerance),
    }


def _pair_drift_message(kind: str, p: dict) -> Message:
    name = {"name": p["name"]}
    facts = [(_("Evaluator"), p["name"]), (_("Team"), p["team"])]
    if p["deviation"] is not None:
        facts.append((_("Difference in the latest pair (points)"), rounded(p["deviation"], 1)))
    facts.append((_("Tolerance (points)"), rounded(p["tolerance"], 1)))
    return Message(
        kind,
        _("Outside the tolerance in double scoring: %(name)s") % name,
        [
            ngettext(
                "The latest double-scored pair of %(name)s was outside the tolerance.",
                "The latest %(count)d double-scored pairs of %(name)s in a row were outside "
                "the tolerance.",
                p["run"],
            )
            % {**name, "count": p["run"]},
            _(
                "Their page shows the pairs by month and the criteria where the two "
                "evaluations differ most; the pairs are candidates for the next session."
            ),
        ],
        facts,
        [(_("Evaluator"), p["name"])],
        reverse("history_evaluator", args=[p["evaluator"]]),
        _("Open their page"),
    )


def second_evaluation_params(pair) -> dict:
    second = pair.second
    return {
        "evaluation": second.pk,
        "contact": second.contact.external_id,
        "scorecard": second.version.scorecard.name,
        "team": str(pair.team),
    }


def _second_evaluation_message(kind: str, p: dict) -> Message:
    return Message(
        kind,
        _("A contact to score a second time: %(contact)s") % p,
        [
            _(
                "Contact %(contact)s was drawn for double scoring. Score it as you would any "
                "contact: the first evaluation stays hidden from you until yours is submitted, "
                "then you see the two side by side."
            )
            % p
        ],
        [(_("Contact"), p["contact"]), (_("Scorecard"), p["scorecard"]), (_("Team"), p["team"])],
        [(_("Contact"), p["contact"])],
        reverse("evaluation_detail", args=[p["evaluation"]]),
        _("Score it"),
    )


def certification_params(certification) -> dict:
    return {
        "certification": certification.pk,
        "scorecard": certification.scorecard.name,
        "team": str(certification.team),
        "by": str(certification.started_by),
        "tolerance": float(certification.tolerance),
    }


def _certification_message(kind: str, p: dict) -> Message:
    return Message(
        kind,
        _("Your gold-set certification: %(scorecard)s") % p,
        [
            _(
                "%(by)s has started your certification on %(scorecard)s. Score the gold "
                "contacts one at a time, as you would any contact; each is compared with the "
                "score your team agreed in a past session, until your scores are shown to be "
                "within the tolerance or not."
            )
            % p
        ],
        [
            (_("Scorecard"), p["scorecard"]),
            (_("Team"), p["team"]),
            (_("Tolerance (points)"), rounded(p["tolerance"], 1)),
        ],
        [(_("Scorecard"), p["scorecard"])],
        reverse("certification_detail", args=[p["certification"]]),
        _("Open my certification"),
    )


def render(kind: str, params: dict, zone: ZoneInfo) -> Message:
    """The words of one notification in the active language; times in ``zone``. Raises
    KeyError, TypeError or ValueError when the parameters do not fit the kind."""
    if kind in SESSION_KINDS:
        return _session_message(kind, params, zone)
    if kind in ACTION_KINDS:
        return _action_message(kind, params)
    if kind == Kind.DRIFT:
        return _drift_message(kind, params)
    if kind == Kind.PAIR_DRIFT:
        return _pair_drift_message(kind, params)
    if kind == Kind.SECOND_EVALUATION:
        return _second_evaluation_message(kind, params)
    if kind == Kind.CERTIFICATION:
        return _certification_message(kind, params)
    raise ValueError(kind)


def words(notification, zone: ZoneInfo) -> Message:
    """What a stored notification says to its reader now, or the words stored when it was made
    if its parameters cannot be read (a row older than them)."""
    if notification.params:
        try:
            return render(notification.kind, notification.params, zone)
        except (KeyError, TypeError, ValueError) as error:
            log.warning("notification %s: cannot write from %r", notification.pk, error)
    return Message(
        notification.kind,
        notification.subject,
        [notification.body_text],
        url=notification.url,
        stored=True,
    )


def letter(message: Message, user) -> tuple[str, str]:
    """The e-mail's plain text and HTML bodies, in the active language."""
    context = {"message": message, "user": user, "absolute_url": absolute(message.url)}
    text = render_to_string("notifications/email/message.txt", context)
    html = render_to_string("notifications/email/message.html", context)
    return text, html


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path
