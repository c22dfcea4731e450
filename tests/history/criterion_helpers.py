"""Completed sessions for the criterion history's tests and browser test: scored by kind, so
they hold whatever the criteria's wording in the version."""

from datetime import timedelta

from django.utils import timezone

from qalibrate.calibration import services as calibration
from qalibrate.evaluations import services as evaluations
from qalibrate.scorecards import services as scorecards
from tests.factories import AgentFactory, ContactFactory
from tests.helpers import criteria

NEED = "Understands the need"
GREET = "Greets with own name"
NEW_NEED = "Understands the need: asks until the customer confirms it"
CONTACTS = 5


def new_version(lead, version, *, text=NEW_NEED):
    """The scorecard's next version, with the need criterion reworded, published."""
    draft = scorecards.draft_start(scorecard=version.scorecard, user=lead)
    need = criteria(draft)[NEED]
    need.text = text
    need.guideline = "Confirmed back to the customer in their own words."
    need.save()
    return scorecards.version_publish(version=draft, user=lead, change_note="Clearer need")


def need_of(version):
    return next(c for c in criteria(version).values() if c.text.startswith(NEED))


def score(user, session, contact, *, need="3"):
    """``user``'s evaluation of the contact, submitted: "yes" to yes/no, the first option,
    ``need`` on the scale (by kind, whatever the criteria's wording in this version)."""
    version = session.version
    chosen = {"yes_no": "yes", "scale": need, "options": "Correct"}
    given = {
        c.pk: evaluations.AnswerInput(chosen[c.kind])
        for c in criteria(version).values()
        if c.kind in chosen
    }
    evaluation = evaluations.evaluation_start(
        contact=contact, evaluator=user, version=version, session=session
    )
    evaluations.evaluation_save(evaluation=evaluation, user=user, answers=given)
    evaluations.evaluation_submit(evaluation=evaluation, user=user)


def completed_session(lead, evaluators, version, team, *, days_ago, lenient=None, flag=None):
    """A session of five contacts scored by ``evaluators`` and completed: ``lenient`` (one of
    them) answers "5" where the others answer "3" on the need; ``flag``, a criterion's text,
    is flagged as needing clarification during the discussion."""
    meeting = timezone.now() - timedelta(days=days_ago)
    session = calibration.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=AgentFactory(team=team)) for _ in range(CONTACTS)],
        evaluators=evaluators,
        title=f"Session {days_ago} days ago",
        version=version,
        team=team,
        facilitator=lead,
        scoring_deadline=meeting - timedelta(days=1),
        meeting_at=meeting,
    )
    calibration.session_move(session=session, user=lead, action="open")
    for sc in session.session_contacts.all():
        for who in evaluators:
            score(who, session, sc.contact, need="5" if who == lenient else "3")
    calibration.session_move(session=session, user=lead, action="reveal")
    if flag:
        calibration.criterion_flag_set(
            session=session, criterion=criteria(version)[flag], user=lead, kind="clarify"
        )
    calibration.session_complete(session=session, user=lead, summary="Done")
    session.refresh_from_db()
    return session
