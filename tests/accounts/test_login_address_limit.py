"""Failed log-ins are limited per address across user names too (issue 18): a few wrong
passwords for each of many user names, from one address, are refused once they add up."""

import ipaddress
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.login_limits import client_address
from qalibrate.accounts.models import Role
from tests.factories import PASSWORD

ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"
LOCKED = "Too many failed log-in attempts. Try again in 15 minutes."
WRONG = "Please enter a correct username and password"
# The documented defaults: 5 failures per user name and address, 30 per address, 15 minutes.
PER_ADDRESS = 30
PER_USER = 5


def _log_in(client, username, password, address=ATTACKER, **extra):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=address, **extra)


def _spray(client, failures, *, prefix="guess", address=ATTACKER, **extra):
    """`failures` wrong passwords, PER_USER - 1 for each user name: never the per-user limit."""
    responses = []
    for n in range(failures):
        username = f"{prefix}-{n // (PER_USER - 1)}"
        responses.append(_log_in(client, username, f"wrong-{n}", address, **extra))
    return responses


@pytest.fixture
def clock(monkeypatch):
    """The time django-axes stamps each attempt with (and counts back from), moved by hand."""
    import axes.handlers.proxy

    class Clock:
        now = timezone.now()

        def advance(self, **kwargs):
            self.now += timedelta(**kwargs)

    clock = Clock()
    monkeypatch.setattr(axes.handlers.proxy, "now", lambda: clock.now)
    return clock


def test_the_limits_are_the_documented_ones(settings):
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == PER_ADDRESS
    assert settings.AXES_FAILURE_LIMIT == PER_USER
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_many_user_names_from_one_address_are_locked_out_at_the_limit(client, users, clock):
    responses = _spray(client, PER_ADDRESS)
    for response in responses[:-1]:
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    assert responses[-1].status_code == 429
    assert LOCKED in responses[-1].content.decode()
    # A user name never tried before is refused from that address too, as is a real one.
    response = _log_in(client, "fresh-name", "anything")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    response = _log_in(client, users[Role.EVALUATOR].username, "wrong")
    assert response.status_code == 429


def test_a_correct_password_from_the_locked_address_is_refused(client, users, clock):
    _spray(client, PER_ADDRESS)
    response = _log_in(client, users[Role.EVALUATOR].username, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # A forged X-Forwarded-For does not make it another address.
    response = _log_in(
        client, users[Role.EVALUATOR].username, PASSWORD, HTTP_X_FORWARDED_FOR=NEIGHBOUR
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_still_logs_in(client, users, clock):
    _spray(client, PER_ADDRESS)
    response = _log_in(client, users[Role.EVALUATOR].username, PASSWORD, NEIGHBOUR)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users[Role.EVALUATOR].pk)
    client.logout()
    # Its own wrong passwords get the ordinary message, not the other address's lockout.
    response = _log_in(client, "guess-0", "wrong", NEIGHBOUR)
    assert response.status_code == 200
    assert WRONG in response.content.decode()


def test_the_lockout_ends_when_the_window_has_passed(client, users, clock):
    _spray(client, PER_ADDRESS)
    clock.advance(minutes=14)
    assert _log_in(client, users[Role.EVALUATOR].username, PASSWORD).status_code == 429
    # That refused attempt counts as a failure too (as with the per-user lockout): the wait
    # runs from the last one.
    clock.advance(minutes=15, seconds=1)
    response = _log_in(client, users[Role.EVALUATOR].username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users[Role.EVALUATOR].pk)


def test_failures_older_than_the_window_do_not_count(client, users, clock):
    _spray(client, PER_ADDRESS - 1)
    clock.advance(minutes=15, seconds=1)
    responses = _spray(client, PER_USER - 1, prefix="later")
    assert [response.status_code for response in responses] == [200] * (PER_USER - 1)


def test_successful_log_ins_are_not_counted_and_do_not_forgive_other_names(client, users, clock):
    user = users[Role.EVALUATOR]
    for _ in range(PER_ADDRESS + 1):
        assert _log_in(client, user.username, PASSWORD).status_code == 302
        client.logout()
    # A log-in of one's own account in between takes off only that account's failures: the
    # sprayed names' failures still add up to the limit.
    _spray(client, PER_ADDRESS // 2)
    assert _log_in(client, user.username, PASSWORD).status_code == 302
    client.logout()
    responses = _spray(client, PER_ADDRESS - PER_ADDRESS // 2, prefix="more")
    assert [response.status_code for response in responses[:-1]] == [200] * (len(responses) - 1)
    assert responses[-1].status_code == 429


def test_the_per_user_limit_still_locks_first(client, users, clock):
    username = users[Role.EVALUATOR].username
    for _ in range(PER_USER - 1):
        assert _log_in(client, username, "wrong").status_code == 200
    assert _log_in(client, username, "wrong").status_code == 429
    # Other user names from that address are not locked by it.
    assert _log_in(client, users[Role.QA_LEAD].username, PASSWORD).status_code == 302


PROXY = "127.0.0.1"


def _address(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_connection_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert _address(ATTACKER, "198.51.100.1") == ATTACKER  # the header is anyone's word
    assert _address(PROXY, ATTACKER) == PROXY


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = [
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("10.0.0.0/8"),
    ]
    assert _address(PROXY, ATTACKER) == ATTACKER
    # A client that writes its own X-Forwarded-For cannot choose its address: nginx appends the
    # real one, and the right-most untrusted hop is taken.
    assert _address(PROXY, f"198.51.100.1, {ATTACKER}") == ATTACKER
    assert _address(PROXY, f"{ATTACKER}, 10.1.2.3") == ATTACKER  # a second, inner proxy
    assert _address(ATTACKER, NEIGHBOUR) == ATTACKER  # not from a trusted proxy
    assert _address(PROXY, "not-an-address") == PROXY
    assert _address(PROXY) == PROXY


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, users, clock, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.0/8")]
    _spray(client, PER_ADDRESS, address=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    locked = _log_in(client, "someone", "wrong", PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code == 429
    lead = users[Role.QA_LEAD]
    response = _log_in(client, lead.username, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=NEIGHBOUR)
    assert response.status_code == 302
