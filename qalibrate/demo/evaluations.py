"""Demo evaluations in every state: drafts, submitted, shared, acknowledged, reopened."""

import random

from qalibrate.accounts.models import Role, User
from qalibrate.contacts.models import Contact
from qalibrate.evaluations import services
from qalibrate.scorecards.models import Criterion, Scorecard

# How likely a good answer is, by the quality of the scenario the transcript came from.
GOOD_ANSWER_CHANCE = {"good": 0.9, "mixed": 0.6, "poor": 0.3}


def _answer(rng: random.Random, criterion: Criterion, chance: float) -> services.AnswerInput:
    good = rng.random() < chance
    if criterion.na_allowed and rng.random() < 0.1:
        return services.AnswerInput(na=True)
    if criterion.kind == "yes_no":
        return services.AnswerInput("yes" if good else "no")
    if criterion.kind == "scale":
        top, bottom = criterion.scale_max, criterion.scale_min
        value = (
            rng.randint(max(bottom, top - 1), top)
            if good
            else rng.randint(bottom, max(bottom, top - 2))
        )
        return services.AnswerInput(str(value))
    if criterion.kind == "options":
        ranked = sorted(criterion.options, key=lambda o: -o["points"])
        return services.AnswerInput(ranked[0]["label"] if good else rng.choice(ranked[1:])["label"])
    return services.AnswerInput("Talked over the customer twice." if not good else "")


def evaluate(rng, contact: Contact, evaluator: User, version, *, submit: bool, session=None):
    """One evaluator's plausible answers for a contact, saved (and submitted) as on the screen."""
    evaluation = services.evaluation_start(
        contact=contact, evaluator=evaluator, version=version, session=session
    )
    chance = GOOD_ANSWER_CHANCE.get(contact.metadata.get("quality", "mixed"), 0.6)
    criteria = Criterion.objects.filter(section__version=version)
    answers = {c.pk: _answer(rng, c, chance) for c in criteria}
    services.evaluation_save(
        evaluation=evaluation, user=evaluator, answers=answers, seconds_spent=rng.randint(240, 900)
    )
    if submit:
        services.evaluation_submit(evaluation=evaluation, user=evaluator)
    return evaluation


def build_evaluations(*, seed: int = 2026) -> int:
    rng = random.Random(seed)
    leads = User.objects.filter(role=Role.QA_LEAD).prefetch_related("teams")
    lead_of = {team.pk: lead for lead in leads for team in lead.teams.all()}
    call_form = Scorecard.objects.get(name="Inbound support call").current_version
    chat_form = Scorecard.objects.get(name="Chat and e-mail").current_version
    evaluators = list(
        User.objects.filter(role=Role.EVALUATOR, is_automatic=False).order_by("username")
    )
    made = 0
    for agent_user in User.objects.filter(role=Role.AGENT).order_by("username"):
        contacts = list(Contact.objects.filter(agent__user=agent_user).order_by("-occurred_at")[:6])
        for number, contact in enumerate(contacts):
            lead = lead_of[contact.team_id]  # the QA lead of the agent's team
            version = call_form if contact.channel == "call" else chat_form
            evaluator = evaluators[(number + made) % len(evaluators)]
            evaluation = evaluate(rng, contact, evaluator, version, submit=number != 5)
            made += 1
            if number in (0, 1, 2):
                services.evaluation_release(evaluation=evaluation, user=lead)
            if number == 0:
                services.evaluation_acknowledge(evaluation=evaluation, user=agent_user)
            if number == 4:
                services.evaluation_reopen(
                    evaluation=evaluation,
                    user=lead,
                    reason="Listen again from 1:10: the identity check was done after the "
                    "account details.",
                )
    return made
