"""What the report tests share: a scored session of a chosen size, the workbook's sheet names,
and pingouin's intraclass correlations as the oracle for the totals."""

from datetime import timedelta

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.helpers import score_as

REPORT_SHEETS = [
    "Summary",
    "Evaluators",
    "Criteria",
    "Coefficients",
    "Evaluators vs reference",
    "Answers vs reference",
    "Contacts",
    "Agreed answers",
    "Actions",
    "Raw answers",
]


def grown_session(users, team, version, contacts: int, evaluators: int):
    """A revealed session of `contacts` contacts, each scored by `evaluators` new evaluators who
    differ only on the need."""
    lead = users[Role.QA_LEAD]
    people = [UserFactory(role=Role.EVALUATOR) for _ in range(evaluators)]
    agents = [AgentFactory(team=team) for _ in range(3)]
    session = services.session_plan(
        user=lead,
        contacts=[ContactFactory(agent=agents[i % 3]) for i in range(contacts)],
        evaluators=people,
        title=f"Size {contacts}×{evaluators}",
        version=version,
        team=team,
        facilitator=lead,
        scoring_deadline=version.published_at + timedelta(days=1),
        meeting_at=version.published_at + timedelta(days=2),
    )
    services.session_move(session=session, user=lead, action="open")
    for i, person in enumerate(people):
        for j, sc in enumerate(session.session_contacts.all()):
            score_as(person, session, sc.contact, need=str((i + 2 * j) % 6))
    services.session_move(session=session, user=lead, action="reveal")
    return session


def pingouin_icc_of_totals(result):
    """pingouin's table of intraclass correlations of a discussion's totals, a row per type."""
    import pandas as pd
    import pingouin

    long = pd.DataFrame(
        [
            (row.contact.pk, k, total)
            for row in result.contacts
            for k, total in enumerate(row.totals)
        ],
        columns=["contact", "evaluator", "total"],
    )
    return pingouin.intraclass_corr(long, targets="contact", raters="evaluator", ratings="total")
