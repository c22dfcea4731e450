import pytest
from rest_framework.test import APIClient

from qalibrate.api import tokens


@pytest.fixture
def api(db):
    """api(user): a client that sends a new personal token of that user; api(None): no token."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            _token, key = tokens.token_create(user=user, name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return client_for
