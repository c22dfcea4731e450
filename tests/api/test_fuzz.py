"""Schemathesis drives every operation of the OpenAPI schema through the WSGI app with data
generated from the schema: no request may end in a server error, and every response must match
the schema. Bounded: a few examples per operation, the whole file in well under a minute."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
)

from qalibrate.accounts.models import Role
from qalibrate.api import tokens

# The marker, not only the fixtures the subtests ask for, makes pytest-django set up the database.
pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.filterwarnings("ignore")]


@pytest.fixture(scope="module")
def api_schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request must not close the connection that holds the
    test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _node_id(request):
    # schemathesis 4.32 renames each operation's subtest through Node._nodeid, which pytest 9
    # no longer sets.
    request.node._nodeid = request.node.nodeid


@pytest.fixture
def key(users, revealed):
    """An administrator's token, with a revealed session and its evaluations to find."""
    return tokens.token_create(user=users[Role.ADMIN], name="fuzz")[1]


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_responses_match_the_schema(case, key):
    # Left out, as they judge how strictly requests are read rather than what is sent back:
    # "schema-valid request rejected" (ids that match no object are valid by the schema and
    # rightly refused) and "schema-violating request accepted" (a blank filter such as
    # ?version= means no filter, as on the pages).
    case.call_and_validate(
        headers={"Authorization": f"Token {key}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )


@pytest.mark.parametrize("query", [{}, {"anonymous": "true"}])
def test_a_full_report_matches_the_schema(api_schema, key, revealed, query):
    """The fuzzing rarely finds the revealed session's id: its report, with every figure
    filled in (coefficients, benchmarks, comparisons with the reference), is checked here."""
    operation = api_schema["/api/v1/sessions/{id}/report/"]["GET"]
    case = operation.Case(path_parameters={"id": revealed.pk}, query=query)
    response = case.call(headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["criteria"][0]["coefficients"]["ac1"]["benchmark"]["level"]
    assert body["evaluators"][0]["criteria_versus_reference"]
    case.validate_response(response, checks=[response_schema_conformance])
