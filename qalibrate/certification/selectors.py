"""Reads of gold-set certification: the gold set, a user's certifications, the candidate's
attempts. The agreed scores are shown to the candidate only once their certification ends."""

from django.db.models import Count, QuerySet

from qalibrate.accounts.models import Team, User
from qalibrate.accounts.permissions import visible_teams
from qalibrate.calibration.models import SessionContact, SessionStatus
from qalibrate.certification.models import Certification, CertificationStatus, GoldAttempt
from qalibrate.certification.permissions import can_certify_in
from qalibrate.scorecards.models import Scorecard


def gold_set(*, team: Team, scorecard: Scorecard, evaluator: User | None = None) -> list[int]:
    """The ids of the gold contacts (SessionContact): contacts of the team's completed sessions
    on the scorecard with an agreed score, each contact once (its latest session). For a
    candidate, without the sessions they took part in and the contacts they evaluated: they
    may have seen those answers."""
    rows = SessionContact.objects.filter(
        session__status=SessionStatus.COMPLETED,
        session__team=team,
        session__version__scorecard=scorecard,
        agreed_score__isnull=False,
    )
    if evaluator is not None:
        rows = rows.exclude(session__participants__user=evaluator).exclude(
            contact__evaluations__evaluator=evaluator
        )
    latest: dict[int, int] = {}
    for pk, contact_id in rows.order_by("session__meeting_at", "pk").values_list(
        "pk", "contact_id"
    ):
        latest[contact_id] = pk
    return sorted(latest.values())


def gold_sizes(*, user: User) -> list[dict]:
    """Per team and scorecard the user may certify in: how many gold contacts there are."""
    found = (
        SessionContact.objects.filter(
            session__status=SessionStatus.COMPLETED,
            session__team__in=visible_teams(user),
            agreed_score__isnull=False,
        )
        .values("session__team__name", "session__version__scorecard__name")
        .annotate(contacts=Count("contact", distinct=True))
        .order_by("session__team__name", "session__version__scorecard__name")
    )
    return [
        {
            "team": row["session__team__name"],
            "scorecard": row["session__version__scorecard__name"],
            "contacts": row["contacts"],
        }
        for row in found
    ]


def certifications_for(*, user: User) -> QuerySet[Certification]:
    return (
        Certification.objects.visible_to(user)
        .select_related("evaluator", "team", "scorecard")
        .annotate(scored=Count("attempts__deviation"))
    )


def attempts_of(certification: Certification) -> list[GoldAttempt]:
    return list(
        certification.attempts.select_related(
            "evaluation", "gold__contact__agent", "gold__session"
        ).order_by("position")
    )


def in_progress_for(*, user: User) -> Certification | None:
    """The user's certification still running, if any (the oldest)."""
    return (
        Certification.objects.filter(evaluator=user, status=CertificationStatus.IN_PROGRESS)
        .select_related("scorecard", "team")
        .annotate(scored=Count("attempts__deviation"))
        .order_by("started_at")
        .first()
    )


def attempt_of(*, user: User, evaluation) -> GoldAttempt | None:
    """The gold attempt an evaluation is, for the note on its page: its candidate and the QA
    staff of the team."""
    attempt = (
        GoldAttempt.objects.filter(evaluation=evaluation).select_related("certification").first()
    )
    if attempt is None:
        return None
    certification = attempt.certification
    if certification.evaluator_id == user.pk or can_certify_in(user, certification.team_id):
        return attempt
    return None
