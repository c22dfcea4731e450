"""Reads for calibration sessions: the lists (built on the models' visible_to), the progress
board, an agent's own results and an evaluator's own work. The meeting screen's reads (the
discussion, its order, the draft summary) are in qalibrate.calibration.meeting_selectors."""

from dataclasses import dataclass
from functools import partial

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from qalibrate.accounts.models import User
from qalibrate.calibration.answers import answer_label
from qalibrate.calibration.meeting_selectors import EvaluatorRow, discussion
from qalibrate.calibration.models import (
    ActionStatus,
    CalibrationSession,
    CriterionFlag,
    FollowUpAction,
    ParticipantRole,
    SessionContact,
    SessionStatus,
)
from qalibrate.contacts.models import Contact
from qalibrate.contacts.selectors import contacts_filtered
from qalibrate.core.once import completed_once
from qalibrate.evaluations.models import Evaluation, EvaluationStatus


def sessions_for(*, user: User) -> QuerySet[CalibrationSession]:
    """The sessions the user may see (CalibrationSession.objects.visible_to), with what their
    lists show."""
    return CalibrationSession.objects.visible_to(user).select_related(
        "version__scorecard", "facilitator", "team"
    )


def agent_results(session: CalibrationSession, *, user: User) -> dict:
    """The agreed answers, score and feedback for the agent's own contacts in the session."""
    session_contacts = list(
        session.session_contacts.filter(contact__agent__user=user)
        .select_related("contact__agent")
        .prefetch_related("agreed_answers__criterion")
    )
    process_flags = {
        f.criterion_id: f for f in session.flags.filter(kind="process").select_related("criterion")
    }
    sections = list(session.version.sections.prefetch_related("criteria"))
    results = []
    for sc in session_contacts:
        agreed = {a.criterion_id: a for a in sc.agreed_answers.all()}
        results.append(
            {
                "session_contact": sc,
                "sections": [
                    {
                        "section": section,
                        "items": [
                            {
                                "criterion": c,
                                "answer": answer_label(c, agreed[c.pk].form_value),
                                "reason": agreed[c.pk].reason,
                                "process": process_flags.get(c.pk),
                            }
                            for c in section.criteria.all()
                            if c.pk in agreed
                        ],
                    }
                    for section in sections
                ],
            }
        )
    # The team calibrated when the session was completed, not on the day it was planned for.
    return {"results": results, "calibrated_at": session.completed_at or session.meeting_at}


def actions_for(*, user: User, include_done: bool = False) -> QuerySet[FollowUpAction]:
    """The follow-up actions the user may see (FollowUpAction.objects.visible_to), open ones
    only unless ``include_done``, the earliest due first."""
    actions = (
        FollowUpAction.objects.visible_to(user)
        .select_related("session", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    if not include_done:
        actions = actions.exclude(status=ActionStatus.DONE)
    return actions


def progress_board(session: CalibrationSession) -> dict:
    """Who has finished what: a status per evaluator and contact, never an answer or a score."""
    contacts = [sc.contact for sc in session.session_contacts.select_related("contact__agent")]
    evaluators = [
        p.user
        for p in session.participants.filter(role=ParticipantRole.EVALUATOR).select_related("user")
    ]
    status = {
        (evaluator_id, contact_id): state
        for evaluator_id, contact_id, state in Evaluation.objects.filter(
            session=session
        ).values_list("evaluator_id", "contact_id", "status")
    }
    rows = []
    for evaluator in evaluators:
        cells = [status.get((evaluator.pk, c.pk), "") for c in contacts]
        rows.append({"evaluator": evaluator, "cells": cells, "done": cells.count("submitted")})
    return {"contacts": contacts, "rows": rows}


def flags_for_draft(version) -> dict[str, list[CriterionFlag]]:
    """Criterion key → flags that calibration sessions raised on the version this draft follows
    (since it was published), so the authors see what to clarify."""
    if not version.is_draft:
        return {}
    flags = CriterionFlag.objects.filter(
        session__version__scorecard_id=version.scorecard_id,
        session__version__number__lt=version.number,
    ).select_related("criterion", "session")
    base = version.scorecard.versions.filter(number=version.number - 1).first()
    if base is not None and base.published_at is not None:
        flags = flags.filter(created_at__gte=base.published_at)
    by_key: dict[str, list[CriterionFlag]] = {}
    for flag in flags:
        by_key.setdefault(flag.criterion.key, []).append(flag)
    return by_key


# --- An evaluator's own work: the contacts to score, the next one, their own results ----------


@dataclass
class MyContact:
    """One of a session's contacts as one evaluator sees it: only their own evaluation's state."""

    number: int  # 1-based, in the session's order
    contact: Contact
    state: str  # "" (not started), "draft" or "submitted"
    evaluation_id: int | None


@dataclass
class MyScoring:
    """One session the evaluator takes part in, with their own progress through its contacts."""

    session: CalibrationSession
    contacts: list[MyContact]

    @property
    def total(self) -> int:
        return len(self.contacts)

    @property
    def submitted(self) -> int:
        return sum(c.state == EvaluationStatus.SUBMITTED for c in self.contacts)

    @property
    def drafts(self) -> int:
        return sum(c.state == EvaluationStatus.DRAFT for c in self.contacts)

    @property
    def all_scored(self) -> bool:
        return self.submitted == self.total

    @property
    def next(self) -> MyContact | None:
        return next_to_score(self.contacts)

    @property
    def is_open(self) -> bool:
        return self.session.status == SessionStatus.SCORING

    @property
    def overdue(self) -> bool:
        return self.is_open and self.session.scoring_deadline < timezone.now()


def _my_contacts(session_contacts, mine: dict) -> list[MyContact]:
    result = []
    for number, sc in enumerate(session_contacts, start=1):
        evaluation_id, state = mine.get(sc.contact_id, (None, ""))
        result.append(MyContact(number, sc.contact, state, evaluation_id))
    return result


def my_contacts(session: CalibrationSession, *, user: User) -> list[MyContact]:
    """The session's contacts in order, each with the state of this user's own evaluation."""
    mine = {
        contact_id: (pk, state)
        for pk, contact_id, state in Evaluation.objects.filter(
            session=session, evaluator=user
        ).values_list("pk", "contact_id", "status")
    }
    return _my_contacts(session.session_contacts.select_related("contact__agent"), mine)


def next_to_score(contacts: list[MyContact], *, after: int | None = None) -> MyContact | None:
    """The first contact not yet submitted after contact `after` (a contact id), going round to
    the start: after a submit the evaluator moves on, and comes back for any skipped."""
    start = next((i + 1 for i, c in enumerate(contacts) if c.contact.pk == after), 0)
    for candidate in contacts[start:] + contacts[:start]:
        if candidate.state != EvaluationStatus.SUBMITTED and candidate.contact.pk != after:
            return candidate
    return None


def sessions_to_score(*, user: User) -> list[MyScoring]:
    """Sessions that invited the user to score and are open for scoring (soonest deadline
    first), then the planned ones not yet open; three queries whatever their number."""
    sessions = list(
        CalibrationSession.objects.filter(
            participants__user=user,
            participants__role=ParticipantRole.EVALUATOR,
            status__in=(SessionStatus.SCORING, SessionStatus.DRAFT),
        )
        .select_related("version__scorecard", "team")
        .order_by("-status", "scoring_deadline", "pk")  # "scoring" sorts before "draft"
    )
    session_contacts = SessionContact.objects.filter(session__in=sessions)
    by_session: dict[int, list[SessionContact]] = {}
    for sc in session_contacts.select_related("contact__agent"):
        by_session.setdefault(sc.session_id, []).append(sc)
    mine: dict[int, dict] = {}
    for pk, session_id, contact_id, state in Evaluation.objects.filter(
        session__in=sessions, evaluator=user
    ).values_list("pk", "session_id", "contact_id", "status"):
        mine.setdefault(session_id, {})[contact_id] = (pk, state)
    return [
        MyScoring(s, _my_contacts(by_session.get(s.pk, []), mine.get(s.pk, {}))) for s in sessions
    ]


@dataclass
class MyResult:
    """The evaluator's own figures in a revealed session: never anyone else's."""

    session: CalibrationSession
    row: EvaluatorRow | None  # None: they submitted nothing in it
    tolerance: float


def my_results(*, user: User, limit: int = 5) -> list[MyResult]:
    """The user's own deviation from the reference in the last revealed or completed sessions
    they scored in. Each takes the discussion's queries; `limit` keeps the home page quick."""
    sessions = (
        CalibrationSession.objects.filter(
            participants__user=user,
            participants__role=ParticipantRole.EVALUATOR,
            status__in=(SessionStatus.DISCUSSION, SessionStatus.COMPLETED),
        )
        .select_related("version__scorecard", "team")
        .order_by("-meeting_at", "-pk")[:limit]
    )
    return [
        MyResult(
            session,
            # Kept alone, not read out of the kept discussion: unpickling five whole
            # discussions cost the home page more than everything else on it.
            completed_once(session, "own-row", partial(_own_row, session, user), user.pk),
            float(session.tolerance),
        )
        for session in sessions
    ]


def _own_row(session: CalibrationSession, user: User) -> EvaluatorRow | None:
    rows = discussion(session, versus_reference=False).evaluators
    return next((row for row in rows if row.user.pk == user.pk and row.scored), None)


def drafts_in_progress(*, user: User, limit: int = 10) -> QuerySet[Evaluation]:
    """The user's own unfinished evaluations that can still be finished: a draft left in a
    session that has been revealed is closed. Second evaluations of double scoring and gold
    evaluations of a certification are listed apart, each in its own card."""
    return (
        Evaluation.objects.filter(evaluator=user, status=EvaluationStatus.DRAFT)
        .filter(pair_as_second__isnull=True, gold_attempt__isnull=True)
        .filter(Q(session__isnull=True) | Q(session__status=SessionStatus.SCORING))
        .select_related("contact__agent", "version__scorecard", "session")
        .order_by("-saved_at")[:limit]
    )


def picked_contacts(*, user: User, ids) -> tuple[list[Contact], list[int]]:
    """The listed contacts the user may see, each once, in the order given; and the ids that
    match none of them (unknown, or not the user's to see)."""
    ids = list(dict.fromkeys(ids))
    found = contacts_filtered(user=user, filters={}).in_bulk(ids)
    return [found[i] for i in ids if i in found], [i for i in ids if i not in found]
