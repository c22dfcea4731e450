"""Scoring contacts the way evaluators do, through the services, on build_scorecard's form."""

from qalibrate.evaluations.services import (
    AnswerInput,
    evaluation_save,
    evaluation_start,
    evaluation_submit,
)
from qalibrate.scorecards.models import Criterion


def criteria(version) -> dict:
    """The version's criteria by their text: {"Verifies identity": <Criterion>, ...}."""
    return {c.text: c for c in Criterion.objects.filter(section__version=version)}


def answers(version, *, greet="yes", verify="yes", need="3", info="Correct", comment=""):
    """A full set of answers to build_scorecard's scored criteria (info="na": not applicable);
    the comment goes with the greeting."""
    c = criteria(version)
    return {
        c["Greets with own name"].pk: AnswerInput(greet, comment=comment),
        c["Verifies identity"].pk: AnswerInput(verify),
        c["Understands the need"].pk: AnswerInput(need),
        c["Information is correct"].pk: AnswerInput("" if info == "na" else info, na=info == "na"),
    }


def score_as(user, session, contact, *, version=None, submit=True, **chosen):
    """The user's evaluation of the contact in the session, saved with `answers(**chosen)` and
    submitted unless submit=False. With session None it is an evaluation outside any session,
    of `version`."""
    version = version or session.version
    evaluation = evaluation_start(contact=contact, evaluator=user, version=version, session=session)
    evaluation_save(evaluation=evaluation, user=user, answers=answers(version, **chosen))
    if submit:
        evaluation_submit(evaluation=evaluation, user=user)
    return evaluation
