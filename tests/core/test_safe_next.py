"""The user-supplied "next" address (issue 18): a page sends its user back only to an address of
this site; anything else (another host, a scheme-relative or backslash address, javascript:)
goes to the page's default instead."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.calibration.models import ActionStatus
from qalibrate.core.redirects import safe_next

UNSAFE = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/actions/",
    "",
]


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_an_address_elsewhere_falls_back_to_the_default(unsafe):
    request = RequestFactory().post("/", {"next": unsafe})
    assert safe_next(request, "action_list") == reverse("action_list")


def test_a_local_address_is_kept_and_the_default_may_be_a_path():
    request = RequestFactory().post("/", {"next": "/actions/?status=open"})
    assert safe_next(request, "action_list") == "/actions/?status=open"
    assert safe_next(RequestFactory().get("/"), "/contacts/") == "/contacts/"
    # The query string's next counts too, and the same host given in full is this site.
    request = RequestFactory().get("/", {"next": "http://testserver/actions/"})
    assert safe_next(request, "home") == "http://testserver/actions/"


def test_over_https_an_http_address_is_refused():
    request = RequestFactory().post("/", {"next": "http://testserver/actions/"}, secure=True)
    assert safe_next(request, "action_list") == reverse("action_list")


@pytest.fixture
def action(users, revealed):
    lead = users[Role.QA_LEAD]
    return services.action_add(
        session=revealed, user=lead, description="Rewrite the guideline", owner=lead
    )


@pytest.mark.parametrize("unsafe", UNSAFE)
def test_the_action_status_form_stays_on_this_site(client, users, action, unsafe):
    client.force_login(users[Role.QA_LEAD])
    url = reverse("action_status", args=[action.pk])
    response = client.post(url, {"status": ActionStatus.DONE, "next": unsafe})
    assert response.status_code == 302
    assert response.url == reverse("action_list")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE  # the change itself is kept


def test_the_action_status_form_goes_back_to_a_local_page(client, users, action):
    client.force_login(users[Role.QA_LEAD])
    url = reverse("action_status", args=[action.pk])
    response = client.post(url, {"status": ActionStatus.DONE, "next": "/actions/?status=open"})
    assert response.url == "/actions/?status=open"


@pytest.mark.parametrize(
    "unsafe", [*UNSAFE, "//evil.example/contacts/", "http://testserver/contacts/?page=2"]
)
def test_the_contact_list_forms_go_back_only_to_the_list_of_this_site(client, users, unsafe):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(reverse("contact_selection_clear"), {"next": unsafe}, secure=True)
    assert response.url == reverse("contact_list")
    response = client.post(
        reverse("contact_selection_clear"), {"next": "/contacts/?page=2"}, secure=True
    )
    assert response.url == "/contacts/?page=2"
