"""The expert as the benchmark: an evaluator's scores against the expert's, over time."""

import numpy as np
import pytest
from django.urls import reverse
from scipy import stats

from qalibrate.accounts.models import Role
from qalibrate.agreement.proportion import wilson
from qalibrate.double_scoring import selectors
from qalibrate.double_scoring.models import Pair
from tests.double_scoring.conftest import score_ordinary


@pytest.fixture
def against_expert(users, policy, contacts, evaluator, second_evaluator):
    """The QA lead scores second as the expert: three of the evaluator's contacts, the expert
    strict on the greeting of two; one pair of the second evaluator with another partner."""
    lead = users[Role.QA_LEAD]
    policy.expert = lead
    policy.save()
    version = policy.scorecard.current_version
    for contact, greet in zip(contacts[:3], ("no", "no", "yes"), strict=True):
        score_ordinary(evaluator, contact, version)
        score_ordinary(lead, contact, version, greet=greet)
    policy.expert = None
    policy.save()
    score_ordinary(second_evaluator, contacts[3], version)
    score_ordinary(evaluator, contacts[3], version, need="1")
    return Pair.objects.filter(by_expert=True)


def test_the_alignment_score_and_bias_against_the_expert(users, against_expert, evaluator):
    found = selectors.evaluator_alignment(user=users[Role.QA_LEAD], evaluator=evaluator)
    assert found.figures.pairs == 3  # the pair where the evaluator scored second is not one
    share = wilson(1, 3)
    assert (found.figures.within.low, found.figures.within.high) == (share.low, share.high)
    differences = np.array([p.first_score - p.second_score for p in against_expert])
    assert found.bias.bias == pytest.approx(differences.mean())
    low, high = stats.t.interval(
        0.95, len(differences) - 1, loc=differences.mean(), scale=stats.sem(differences)
    )
    assert (found.bias.bias_low, found.bias.bias_high) == (pytest.approx(low), pytest.approx(high))
    assert found.bias.bias > 0  # lenient against the strict expert
    assert found.figures.criteria[0].text == "Greets with own name"


def test_the_evaluator_reads_their_own_on_the_home_page(client, users, against_expert, evaluator):
    client.force_login(evaluator)
    home = client.get(reverse("home")).content.decode()
    assert "My scores against the expert" in home
    page = client.get(reverse("history_evaluator", args=[evaluator.pk]))
    assert page.context["alignment"].figures.pairs == 3


def test_another_evaluator_never_reads_it(
    client, users, against_expert, evaluator, second_evaluator
):
    client.force_login(second_evaluator)
    assert "My scores against the expert" not in client.get(reverse("home")).content.decode()
    page = client.get(reverse("history_evaluator", args=[evaluator.pk]))
    assert page.status_code == 403
    assert selectors.evaluator_alignment(user=second_evaluator, evaluator=evaluator) is None


def test_the_qa_lead_sees_every_evaluator_against_the_expert(client, users, against_expert):
    client.force_login(users[Role.QA_LEAD])
    overview = client.get(reverse("double_scoring")).context["overview"]
    assert [line.evaluator.username for line in overview.against_expert] == ["evaluator"]
