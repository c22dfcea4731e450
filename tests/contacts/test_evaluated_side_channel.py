"""The contact list's "evaluated" mark and filter (issue 18): they count only evaluations the
reader may see (Evaluation.objects.visible_to), so before the reveal they do not tell anyone
which contacts of a blind session another evaluator has submitted."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from qalibrate.accounts.models import Role
from qalibrate.api import tokens
from qalibrate.calibration import services
from tests.factories import ContactFactory
from tests.helpers import score_as


def page(client, user, **params) -> dict[int, bool]:
    """The contact list page as the user sees it: contact id → its "evaluated" mark."""
    client.force_login(user)
    response = client.get(reverse("contact_list"), params)
    assert response.status_code == 200
    return {contact.pk: contact.is_evaluated for contact in response.context["page"]}


def api(user, **params) -> dict[int, bool]:
    client = APIClient()
    _token, key = tokens.token_create(user=user, name="tests")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/contacts/", {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return {row["id"]: row["is_evaluated"] for row in body["results"]}


def evaluated(client, user) -> dict[str, set[int]]:
    """The contacts marked evaluated, and those ?evaluated=yes and =no list, on the page and in
    the API: all must agree."""
    marks = page(client, user)
    found = {
        "marked": {pk for pk, mark in marks.items() if mark},
        "yes": set(page(client, user, evaluated="yes")),
        "no": set(page(client, user, evaluated="no")),
    }
    assert api(user) == marks
    assert set(api(user, evaluated="yes")) == found["yes"]
    assert set(api(user, evaluated="no")) == found["no"]
    assert found["yes"] == found["marked"] and found["no"] == set(marks) - found["marked"]
    return found


@pytest.fixture
def scoring(users, session):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    session.refresh_from_db()
    return session


def test_another_evaluators_blind_submission_is_not_shown_before_the_reveal(
    client, users, scoring, second_evaluator
):
    first, lead = users[Role.EVALUATOR], users[Role.QA_LEAD]
    contacts = [sc.contact for sc in scoring.session_contacts.order_by("position")]
    before = {who: evaluated(client, who) for who in (first, lead)}
    assert before[first]["yes"] == set()

    score_as(second_evaluator, scoring, contacts[0])  # B submits, in blind scoring
    score_as(second_evaluator, scoring, contacts[1], submit=False)  # and leaves a draft

    # A, the other participant: no mark, not under ?evaluated=yes, the count unchanged.
    assert evaluated(client, first) == before[first]
    assert contacts[0].pk in evaluated(client, first)["no"]
    # The QA lead sees no session evaluation before the reveal (visible_to): nor its mark.
    assert evaluated(client, lead) == before[lead]
    # B sees their own.
    assert evaluated(client, second_evaluator)["yes"] == {contacts[0].pk}

    # A's own submission is marked for A, and still only for A.
    score_as(first, scoring, contacts[2])
    assert evaluated(client, first)["yes"] == {contacts[2].pk}
    assert evaluated(client, second_evaluator)["yes"] == {contacts[0].pk}
    assert evaluated(client, lead)["yes"] == set()


def test_after_the_reveal_the_usual_rules_apply(
    client, users, scoring, second_evaluator, third_evaluator
):
    first, lead = users[Role.EVALUATOR], users[Role.QA_LEAD]
    contacts = [sc.contact for sc in scoring.session_contacts.order_by("position")]
    score_as(second_evaluator, scoring, contacts[0])
    score_as(first, scoring, contacts[1])
    services.session_move(session=scoring, user=lead, action="reveal")

    both = {contacts[0].pk, contacts[1].pk}
    assert evaluated(client, first)["yes"] == both  # a participant, once revealed
    assert evaluated(client, second_evaluator)["yes"] == both
    assert evaluated(client, lead)["yes"] == both  # QA staff see every revealed one
    assert evaluated(client, third_evaluator)["yes"] == set()  # not in the session


def test_outside_sessions_the_qa_lead_still_sees_every_submitted_evaluation(
    client, users, version, second_evaluator
):
    contact = ContactFactory()
    score_as(second_evaluator, None, contact, version=version)
    assert contact.pk in evaluated(client, users[Role.QA_LEAD])["yes"]
    assert contact.pk in evaluated(client, users[Role.ADMIN])["yes"]
    assert contact.pk in evaluated(client, second_evaluator)["yes"]
