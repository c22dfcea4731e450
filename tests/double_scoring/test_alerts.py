"""The team's QA leads are told when double scoring puts an evaluator outside in a row."""

from zoneinfo import ZoneInfo

from django.utils import translation

from qalibrate.accounts.models import Role
from qalibrate.double_scoring import selectors
from qalibrate.double_scoring.models import Pair
from qalibrate.notifications import messages
from qalibrate.notifications.models import Kind, Notification
from tests.double_scoring.conftest import score_ordinary
from tests.factories import AgentFactory, ContactFactory


def _pair(evaluator, version, agent, **second_answers):
    contact = ContactFactory(agent=agent)
    score_ordinary(evaluator, contact, version)
    second = Pair.objects.get(first__contact=contact).second.evaluator
    score_ordinary(second, contact, version, **second_answers)


def test_the_qa_lead_is_told_once_the_run_reaches_the_mark(
    users, policy, team, evaluator, second_evaluator
):
    version = policy.scorecard.current_version
    agent = AgentFactory(team=team)
    _pair(evaluator, version, agent)  # within
    for _ in range(selectors.OUTSIDE_IN_A_ROW - 1):
        _pair(evaluator, version, agent, verify="no")
    assert not Notification.objects.filter(kind=Kind.PAIR_DRIFT).exists()
    _pair(evaluator, version, agent, verify="no")
    told = Notification.objects.filter(kind=Kind.PAIR_DRIFT)
    # The QA lead of the team, about both evaluators of the run (each is outside in a row).
    assert {n.user for n in told} == {users[Role.QA_LEAD]}
    assert {n.params["name"] for n in told} == {str(evaluator), str(second_evaluator)}
    assert all(n.params["run"] == selectors.OUTSIDE_IN_A_ROW for n in told)
    count = told.count()
    _pair(evaluator, version, agent, verify="no")  # a longer run is not told again
    assert Notification.objects.filter(kind=Kind.PAIR_DRIFT).count() == count


def test_the_alert_reads_in_every_language(users, policy, team, evaluator):
    version = policy.scorecard.current_version
    agent = AgentFactory(team=team)
    for _ in range(selectors.OUTSIDE_IN_A_ROW):
        _pair(evaluator, version, agent, verify="no")
    notification = Notification.objects.filter(kind=Kind.PAIR_DRIFT).first()
    for language, word in (("en", "double scoring"), ("ru", "двойной"), ("sv", "dubbel")):
        with translation.override(language):
            message = messages.render(notification.kind, notification.params, ZoneInfo("UTC"))
        assert word in message.subject.lower()


def test_the_second_evaluator_is_told_and_not_who_scored_first(users, policy, contacts, evaluator):
    first = score_ordinary(evaluator, contacts[0], policy.scorecard.current_version)
    second = Pair.objects.get(first=first).second
    (told,) = Notification.objects.filter(kind=Kind.SECOND_EVALUATION)
    assert told.user == second.evaluator
    assert told.url.endswith(f"/evaluations/{second.pk}/")
    words = f"{told.subject} {told.body_text}"
    assert contacts[0].external_id in words and str(evaluator) not in words
    for language, word in (("ru", "повторно"), ("sv", "gång till")):
        with translation.override(language):
            message = messages.render(told.kind, told.params, ZoneInfo("UTC"))
        assert word in message.subject.lower() + message.body.lower()
