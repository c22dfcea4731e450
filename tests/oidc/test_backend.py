"""The claim mapping of single sign-on, and its doors closed while it is not configured."""

import pytest

from qalibrate import config
from qalibrate.accounts import oidc
from tests.factories import TeamFactory


@pytest.fixture
def mapping(settings):
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = {"qa-leads": "qa_lead", "qa-evaluators": "evaluator", "boss": "admin"}
    settings.OIDC_TEAM_MAP = {"team-support": "Customer support", "team-sales": "Sales"}
    settings.OIDC_DEFAULT_ROLE = ""
    return settings


def test_the_highest_mapped_role_wins(mapping):
    assert oidc.role_from({"groups": ["qa-evaluators", "qa-leads"]}) == "qa_lead"
    assert oidc.role_from({"groups": ["boss", "qa-evaluators"]}) == "admin"
    assert oidc.role_from({"groups": "qa-evaluators"}) == "evaluator"  # a single string
    assert oidc.role_from({"groups": ["canteen"]}) is None
    assert oidc.role_from({}) is None
    mapping.OIDC_DEFAULT_ROLE = "agent"
    assert oidc.role_from({"groups": ["canteen"]}) == "agent"


def test_teams_come_from_the_mapped_groups_that_exist(db, mapping):
    support = TeamFactory(name="Customer support")
    assert oidc.teams_from({"groups": ["team-support", "team-sales", "other"]}) == [support]


def test_maps_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("QALIBRATE_OIDC_ROLE_MAP", " qa-leads = qa_lead ,broken, x=admin")
    assert config.env_map("OIDC_ROLE_MAP") == {"qa-leads": "qa_lead", "x": "admin"}


def test_the_doors_are_closed_unless_configured(client, settings):
    settings.OIDC_ENABLED = False
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert client.get("/accounts/oidc/callback/").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()
