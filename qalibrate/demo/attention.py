"""Demo work waiting for the QA leads, so every list on their home page has something in it: the
Swedish team's session whose scoring deadline has passed (ready to reveal, one evaluator late,
meeting today), the Russian team's session discussed yesterday but not completed (its summary
still to write), and an overdue follow-up action from Customer support's earlier session."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from qalibrate.accounts.models import Team, User
from qalibrate.calibration import services
from qalibrate.calibration.models import CalibrationSession, FollowUpAction, SessionStatus
from qalibrate.contacts.models import Contact
from qalibrate.demo.evaluations import evaluate
from qalibrate.scorecards.models import Scorecard

STOCKHOLM = "Europe/Stockholm"


def build_attention(*, now: datetime, seed: int = 2026) -> int:
    """Returns the number of sessions made."""
    rng = random.Random(seed + 10)
    chat_form = Scorecard.objects.get(name="Chat and e-mail").current_version
    _ready_to_reveal(now, rng, chat_form)
    _summary_to_write(now, rng, chat_form)
    _overdue_action(now)
    return 2


def _pool(team: Team) -> list[Contact]:
    """The team's chats and e-mails nobody has scored and no session holds."""
    return Contact.objects.filter(
        team=team,
        channel__in=("chat", "email"),
        evaluations__isnull=True,
        sessioncontact__isnull=True,
    ).order_by("pk")


def _meeting_today(now: datetime) -> datetime:
    """Today in Stockholm: at 14:00, or when that has passed, a full hour later (at the latest
    23:30), so it is always today's meeting."""
    local = now.astimezone(ZoneInfo(STOCKHOLM))
    meeting = local.replace(hour=14, minute=0, second=0, microsecond=0)
    if meeting < local + timedelta(minutes=30):
        meeting = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    latest = local.replace(hour=23, minute=30, second=0, microsecond=0)
    return max(min(meeting, latest), now + timedelta(minutes=5))


def _ready_to_reveal(now, rng, version) -> CalibrationSession:
    lead = User.objects.get(username="maria.lindqvist")
    team = Team.objects.get(name="Kundtjänst Norden")
    anna, karl = (
        User.objects.get(username="anna.bergstrom"),
        User.objects.get(username="karl.nyberg"),
    )
    with translation.override(lead.language):
        session = services.session_plan(
            user=lead,
            contacts=services.contacts_sample(contacts=_pool(team), count=5, seed=7),
            evaluators=[anna, karl],
            title="Kundtjänst Norden: chatt och e-post, vecka 49",
            version=version,
            team=team,
            facilitator=lead,
            scoring_deadline=now - timedelta(hours=3),
            meeting_at=_meeting_today(now),
            location="Rum Öresund / https://meet.example.com/kalibrering",
        )
    services.session_move(session=session, user=lead, action="open")
    for position, session_contact in enumerate(session.session_contacts.all()):
        contact = session_contact.contact
        evaluate(rng, contact, anna, version, submit=True, session=session)
        if position < 4:  # Karl submitted three and left the fourth a draft
            evaluate(rng, contact, karl, version, submit=position < 3, session=session)
    return session


def _summary_to_write(now, rng, version) -> CalibrationSession:
    olga = User.objects.get(username="olga.smirnova")
    team = Team.objects.get(name="Служба поддержки")
    evaluators = list(User.objects.filter(username__in=["irina.volkova", "nikita.orlov"]))
    meeting = now - timedelta(days=1)
    with translation.override(olga.language):
        session = services.session_plan(
            user=olga,
            contacts=services.contacts_sample(contacts=_pool(team), count=5, seed=8),
            evaluators=evaluators,
            title="Служба поддержки: чаты, неделя 48",
            version=version,
            team=team,
            facilitator=olga,
            scoring_deadline=meeting - timedelta(days=1),
            meeting_at=meeting,
            location="https://meet.example.com/okk-kalibrovka",
        )
    services.session_move(session=session, user=olga, action="open")
    for session_contact in session.session_contacts.all():
        for evaluator in evaluators:
            evaluate(rng, session_contact.contact, evaluator, version, submit=True, session=session)
    session = services.session_move(session=session, user=olga, action="reveal")
    return session


def _overdue_action(now) -> FollowUpAction:
    """Customer support's earlier completed session left one action open past its due date."""
    earlier = (
        CalibrationSession.objects.filter(
            team__name="Customer support", status=SessionStatus.COMPLETED
        )
        .order_by("meeting_at")
        .first()
    )
    action = FollowUpAction.objects.create(
        session=earlier,
        description="Listen to two outage calls with the agents' team leader and agree on the "
        "coaching.",
        owner=User.objects.get(username="maria.lindqvist"),
        due_date=(now - timedelta(days=6)).date(),
    )
    # Agreed at that meeting, as its other actions.
    FollowUpAction.objects.filter(pk=action.pk).update(
        created_at=earlier.meeting_at + timedelta(minutes=50)
    )
    return action
