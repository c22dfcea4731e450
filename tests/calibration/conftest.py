"""Fixtures of the planning tests (the shared ones are in tests/fixtures.py)."""

import pytest

from qalibrate.accounts.models import Role
from tests.factories import UserFactory


@pytest.fixture
def evaluators(team):
    """Four evaluators, evaluator0 to evaluator3, in no session yet."""
    return [UserFactory(username=f"evaluator{i}", role=Role.EVALUATOR) for i in range(4)]
