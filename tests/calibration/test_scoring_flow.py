"""The session page for the one scoring: each contact's state for them, Start / Continue / View,
and the next contact still to score. The page's title holds text only."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import selectors, services
from qalibrate.calibration.selectors import MyContact, next_to_score
from tests.factories import ContactFactory
from tests.helpers import score_as


def contacts_of(session):
    return [sc.contact for sc in session.session_contacts.all()]


def rows(states: str) -> list[MyContact]:
    """States "s-d": contact 1 submitted, 2 not started, 3 draft (ids 101, 102, 103)."""
    code = {"s": "submitted", "d": "draft", "-": ""}
    return [
        MyContact(n, ContactFactory.build(pk=100 + n), code[c], None)
        for n, c in enumerate(states, start=1)
    ]


@pytest.mark.parametrize(
    ("states", "after", "expected"),
    [
        ("---", None, 1),
        ("s-d", None, 2),
        ("s-d", 102, 3),  # after a submit: onwards
        ("-ss", 103, 1),  # round to a contact skipped earlier
        ("d-s", 101, 2),
        ("sss", None, None),
        ("ss-", 103, None),  # the one just left is not "next"
    ],
)
def test_next_to_score_goes_on_then_round(states, after, expected):
    found = next_to_score(rows(states), after=after)
    assert (found.number if found else None) == expected


def page_of(client, user, session) -> str:
    client.force_login(user)
    response = client.get(reverse("session_detail", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_session_page_shows_my_state_and_the_right_button(client, users, session):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    contacts = contacts_of(session)
    done = score_as(first, session, contacts[0])
    score_as(first, session, contacts[1], submit=False)
    page = page_of(client, first, session)
    assert "You have submitted 1 of 6 contacts." in page
    assert page.count(">Submitted</span>") == 1
    assert page.count(">Draft</span>") == 1
    assert page.count(">Not started</span>") == 4
    assert page.count(">Start<") == 4 and page.count(">Continue<") == 1
    assert page.count(">View<") == 1
    assert reverse("evaluation_detail", args=[done.pk]) in page
    assert ">Score<" not in page  # no button to score what is already submitted
    # The main button goes to the first contact still to score: the draft, number 2.
    assert "Score contact 2" in page
    assert reverse("session_score", args=[session.pk, contacts[1].pk]) in page


def test_all_scored_on_the_session_page(client, users, session):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    for contact in contacts_of(session):
        score_as(first, session, contact)
    page = page_of(client, first, session)
    assert "You have submitted 6 of 6 contacts." in page and "All scored" in page
    assert page.count(">View<") == 6 and ">Start<" not in page and "Score contact" not in page


def test_others_see_no_personal_state_and_no_buttons(client, users, session, second_evaluator):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    score_as(second_evaluator, session, contacts_of(session)[0])
    for viewer in (users[Role.QA_LEAD], users[Role.AGENT]):
        page = page_of(client, viewer, session)
        assert "You have submitted" not in page and ">Submitted</span>" not in page
        assert ">Start<" not in page and ">View<" not in page
    # The first evaluator's own states are theirs alone: the second's submit shows nowhere.
    page = page_of(client, users[Role.EVALUATOR], session)
    assert "You have submitted 0 of 6 contacts." in page and ">View<" not in page


def test_after_the_reveal_only_view_stays(client, users, revealed):
    page = page_of(client, users[Role.EVALUATOR], revealed)
    assert page.count(">View<") == 6
    assert ">Start<" not in page and ">Continue<" not in page and "Score contact" not in page


def titles(page: str) -> list[str]:
    return re.findall(r"<title>(.*?)</title>", page, flags=re.S)


def test_no_page_title_holds_markup(client, users, revealed):
    """The session page's title once held the follow-up actions table."""
    lead = users[Role.QA_LEAD]
    services.action_add(
        session=revealed,
        user=lead,
        description="Rewrite the guideline",
        owner=lead,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    evaluation = revealed.evaluations.filter(evaluator=users[Role.EVALUATOR]).first()
    client.force_login(lead)
    for url in (
        reverse("home"),
        reverse("session_list"),
        reverse("session_detail", args=[revealed.pk]),
        reverse("session_discussion", args=[revealed.pk]),
        reverse("evaluation_detail", args=[evaluation.pk]),
        reverse("action_list"),
    ):
        page = client.get(url).content.decode()
        [title] = titles(page)
        assert "<" not in title and ">" not in title, url
        assert "Rewrite the guideline" not in title
    page = client.get(reverse("session_detail", args=[revealed.pk])).content.decode()
    assert "Rewrite the guideline" in page.split("</title>", 1)[1]  # the actions, in the page


def test_my_contacts_carry_only_my_own_evaluations(users, session, second_evaluator):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    contacts = contacts_of(session)
    score_as(second_evaluator, session, contacts[0])
    mine = selectors.my_contacts(session, user=users[Role.EVALUATOR])
    assert [c.state for c in mine] == [""] * 6
    assert [c.contact for c in mine] == contacts
