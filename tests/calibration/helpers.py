"""Scoring a session's contacts the way evaluators do, through the services."""

from qalibrate.evaluations import services as evaluation_services
from qalibrate.scorecards.models import Criterion


def answers(version, verify="yes"):
    c = {x.text: x.pk for x in Criterion.objects.filter(section__version=version)}
    return {
        c["Greets with own name"]: evaluation_services.AnswerInput("yes"),
        c["Verifies identity"]: evaluation_services.AnswerInput(verify),
        c["Understands the need"]: evaluation_services.AnswerInput("3"),
        c["Information is correct"]: evaluation_services.AnswerInput("Correct"),
    }


def score(user, session, contact, verify="yes", submit=True):
    evaluation = evaluation_services.evaluation_start(
        contact=contact, evaluator=user, version=session.version, session=session
    )
    evaluation_services.evaluation_save(
        evaluation=evaluation, user=user, answers=answers(session.version, verify)
    )
    if submit:
        evaluation_services.evaluation_submit(evaluation=evaluation, user=user)
    return evaluation


def score_as(
    user,
    session,
    contact,
    *,
    greet="yes",
    verify="yes",
    need="3",
    info="Correct",
    comment="",
    submit=True,
):
    """Score with chosen answers (criterion short names: greet, verify, need, info)."""
    c = {x.text: x.pk for x in Criterion.objects.filter(section__version=session.version)}
    given = {
        c["Greets with own name"]: evaluation_services.AnswerInput(greet, comment=comment),
        c["Verifies identity"]: evaluation_services.AnswerInput(verify),
        c["Understands the need"]: evaluation_services.AnswerInput(need),
        c["Information is correct"]: evaluation_services.AnswerInput(
            "" if info == "na" else info, na=info == "na"
        ),
    }
    evaluation = evaluation_services.evaluation_start(
        contact=contact, evaluator=user, version=session.version, session=session
    )
    evaluation_services.evaluation_save(evaluation=evaluation, user=user, answers=given)
    if submit:
        evaluation_services.evaluation_submit(evaluation=evaluation, user=user)
    return evaluation
