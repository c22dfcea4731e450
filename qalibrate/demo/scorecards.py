"""Two demo scorecards: a call form with a version history and review comments, and a chat form."""

from qalibrate.accounts.models import User
from qalibrate.scorecards import services
from qalibrate.scorecards.models import Criterion, Scorecard

CALL_FORM = [
    (
        "Opening",
        1,
        [
            dict(
                text="Greets the customer and gives own name",
                kind="yes_no",
                points=1,
                guideline="Yes when the agent greets and says their first name within the first "
                "10 seconds.",
                purpose="A personal start builds trust.",
            ),
            dict(
                text="Verifies the customer's identity before discussing the account",
                kind="yes_no",
                points=2,
                critical="form",
                guideline="Yes when identity is checked before any account detail is shared.",
                purpose="Data protection: a failure here fails the whole call.",
            ),
        ],
    ),
    (
        "Understanding and resolution",
        3,
        [
            dict(
                text="Asks questions to understand the need",
                kind="scale",
                points=4,
                scale_min=0,
                scale_max=5,
                guideline="0: no questions, jumps to a solution. 3: asks until the main need is "
                "clear. 5: also uncovers the need behind the request.",
            ),
            dict(
                text="Information given is correct and complete",
                kind="options",
                options=[
                    {"label": "Correct", "points": 3},
                    {"label": "Partly correct", "points": 1},
                    {"label": "Wrong", "points": 0},
                ],
                critical="section",
                guideline="Check against the knowledge base article for the topic.",
            ),
            dict(
                text="Resolves the issue in this contact",
                kind="yes_no",
                points=3,
                na_allowed=True,
                guideline="N/A when the issue needs another department and the agent escalated "
                "it correctly.",
            ),
            dict(
                text="Shows empathy and listens actively",
                kind="scale",
                points=2,
                scale_min=1,
                scale_max=5,
                guideline="Acknowledges feelings, does not interrupt, reflects back.",
            ),
        ],
    ),
    (
        "Closing",
        1,
        [
            dict(
                text="Summarises what happens next",
                kind="yes_no",
                points=1,
                guideline="Yes when the customer hears what was done and what will happen.",
            ),
            dict(
                text="Offers further help",
                kind="yes_no",
                points=1,
                na_allowed=True,
                guideline="N/A when the customer ends the call first.",
            ),
            dict(text="Notes for coaching", kind="text"),
        ],
    ),
]

CHAT_FORM = [
    (
        "Tone and writing",
        1,
        [
            dict(
                text="Greets the customer personally",
                kind="yes_no",
                points=1,
                guideline="Yes when the first reply uses the customer's name.",
            ),
            dict(
                text="Spelling and grammar",
                kind="options",
                options=[
                    {"label": "No errors", "points": 2},
                    {"label": "Minor errors", "points": 1},
                    {"label": "Many errors", "points": 0},
                ],
                guideline="Minor: one or two typos that do not change the meaning.",
            ),
            dict(
                text="Tone fits the customer",
                kind="scale",
                points=2,
                scale_min=1,
                scale_max=5,
                guideline="Mirror the customer's formality; never sarcastic.",
            ),
        ],
    ),
    (
        "Solution",
        2,
        [
            dict(
                text="Answers every question asked",
                kind="yes_no",
                points=2,
                guideline="Count the customer's questions; each needs an answer.",
            ),
            dict(
                text="Information is correct",
                kind="options",
                critical="form",
                options=[
                    {"label": "Correct", "points": 3},
                    {"label": "Partly correct", "points": 1},
                    {"label": "Wrong", "points": 0},
                ],
                guideline="Wrong information in writing fails the whole evaluation.",
            ),
            dict(
                text="Adds links or attachments that help",
                kind="yes_no",
                points=1,
                na_allowed=True,
                guideline="N/A when nothing useful exists to link.",
            ),
        ],
    ),
    (
        "Efficiency",
        1,
        [
            dict(
                text="First reply within the target time",
                kind="yes_no",
                points=1,
                na_allowed=True,
                guideline="Chat: 60 seconds. E-mail: 4 working hours.",
            ),
            dict(
                text="No unnecessary back-and-forth",
                kind="yes_no",
                points=1,
                guideline="Yes when the agent asks for everything needed in one message.",
            ),
        ],
    ),
]


def _fill(version, content) -> None:
    for title, weight, criteria in content:
        section = services.section_add(version=version, title=title, weight=weight)
        for fields in criteria:
            services.criterion_add(section=section, **fields)


def build_scorecards(*, lead: User, reviewers: list[User]) -> list[Scorecard]:
    call = services.scorecard_create(
        author=lead,
        name="Inbound support call",
        purpose="customer_experience",
        language="en",
        description="Every caller leaves with a correct answer and knows what happens next.",
    )
    _fill(call.draft, CALL_FORM)
    services.version_publish(version=call.draft, user=lead)

    v2 = services.draft_start(scorecard=call, user=lead)
    verify = Criterion.objects.get(section__version=v2, text__startswith="Verifies")
    verify.guideline = (
        "Yes when at least two identifiers (customer number, date of birth, address) are checked "
        "before any account detail is shared. Asking for the name alone is not enough."
    )
    verify.save()
    services.version_publish(
        version=v2,
        user=lead,
        change_note="Calibration showed evaluators disagreed on identity checks: the guideline "
        "now names the two identifiers that count.",
    )

    v3 = services.draft_start(scorecard=call, user=lead)
    v3.reviewers.set(reviewers)
    empathy = Criterion.objects.get(section__version=v3, text__startswith="Shows empathy")
    empathy.guideline = (
        "1: interrupts or dismisses. 3: acknowledges the problem once. 5: acknowledges feelings, "
        "lets the customer finish, reflects back what they heard."
    )
    empathy.save()
    resolves = Criterion.objects.get(section__version=v3, text__startswith="Resolves")
    agent, evaluator = reviewers[0], reviewers[1]
    services.comment_add(
        criterion=empathy,
        author=agent,
        text="What if the customer is angry from the start? Does letting them vent count?",
    )
    services.comment_add(
        criterion=resolves,
        author=evaluator,
        text="Is a callback booked for tomorrow 'resolved'? We scored it both ways last month.",
    )
    done = services.comment_add(
        criterion=empathy, author=evaluator, text="Please give an example for each score."
    )
    services.comment_resolve(comment=done, user=lead)

    chat = services.scorecard_create(
        author=lead,
        name="Chat and e-mail",
        purpose="customer_experience",
        language="en",
        description="Written answers that are correct, complete and easy to read.",
    )
    _fill(chat.draft, CHAT_FORM)
    services.version_publish(version=chat.draft, user=lead)
    return [call, chat]
