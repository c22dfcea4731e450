import pytest

from qalibrate.accounts.models import Role
from tests.factories import AgentFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is proven in its own test; elsewhere a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def team(db):
    return TeamFactory(name="Customer support")


@pytest.fixture
def users(db, team):
    """One signed-up user of every role, the agent linked to an Agent record of the team."""
    people = {role: UserFactory(username=role.value, role=role) for role in Role}
    for user in people.values():
        user.teams.add(team)
    AgentFactory(full_name="Agent With Login", team=team, user=people[Role.AGENT])
    return people
