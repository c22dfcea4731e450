"""The evaluator's home: the sessions to score with their progress and the next contact, their
own results once revealed (never anyone else's, never before the reveal), drafts in progress."""

import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors, selectors, services
from qalibrate.calibration.models import ReferenceMode
from qalibrate.evaluations.models import Evaluation
from tests.factories import UserFactory
from tests.helpers import score_as


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def contacts_of(session):
    return [sc.contact for sc in session.session_contacts.all()]


def test_an_invited_evaluator_sees_the_session_its_progress_and_the_next_contact(
    client, users, session
):
    first = users[Role.EVALUATOR]
    page = home(client, first)
    assert "March calibration" in page  # planned, not open yet
    assert "Scoring has not opened yet" in page
    assert reverse("session_score_next", args=[session.pk]) not in page

    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    page = home(client, first)
    assert "0 of 6 contacts submitted" in page and "Start scoring" in page
    assert reverse("session_score_next", args=[session.pk]) in page

    contacts = contacts_of(session)
    for contact in contacts[:3]:
        score_as(first, session, contact)
    score_as(first, session, contacts[4], submit=False)
    page = home(client, first)
    assert "3 of 6 contacts submitted" in page
    assert "1 started, not submitted" in page
    assert "Continue scoring" in page and "next: contact 4 of 6" in page
    assert "You have no calibration sessions to score" not in page


def test_when_every_contact_is_scored_the_home_says_so(client, users, session):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    for contact in contacts_of(session):
        score_as(first, session, contact)
    page = home(client, first)
    assert "6 of 6 contacts submitted" in page and "All scored" in page
    assert reverse("session_score_next", args=[session.pk]) not in page


def test_an_evaluator_not_invited_sees_no_session(client, users, session):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    page = home(client, UserFactory(role=Role.EVALUATOR))
    assert "March calibration" not in page
    assert "You have no calibration sessions to score right now" in page


def test_nobody_s_scores_show_before_the_reveal(client, users, session, second_evaluator):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    contact = contacts_of(session)[0]
    mine = score_as(first, session, contact, need="4")
    theirs = score_as(second_evaluator, session, contact, need="1", comment="THEIR-SECRET")
    page = home(client, first)
    assert "THEIR-SECRET" not in page
    for evaluation in (mine, theirs):
        evaluation.refresh_from_db()
        assert f"{evaluation.score:.1f}" not in page
    assert "No results yet" in page
    assert selectors.my_results(user=first) == []


@pytest.fixture
def median_revealed(revealed):
    """The revealed session judged against the group median, so deviations exist at once."""
    revealed.reference_mode = ReferenceMode.MEDIAN
    revealed.save()
    return revealed


def test_after_the_reveal_an_evaluator_sees_only_their_own_result(
    client, users, median_revealed, second_evaluator, third_evaluator
):
    first = users[Role.EVALUATOR]
    rows = {row.user.pk: row for row in meeting_selectors.discussion(median_revealed).evaluators}
    page = home(client, first)
    assert "March calibration" in page and "Mean deviation" in page
    own = rows[first.pk].deviation
    assert f"n = {own.n}" in page
    [result] = home_results(client, first)
    assert result.row.user == first and result.row.deviation == own
    for other in (second_evaluator, third_evaluator):
        assert str(other) not in page
        assert other.username not in page
    # The session no longer asks for scores, and its left-over draft is no longer "in progress".
    assert "Sessions to score" in page and "0 of 6 contacts submitted" not in page
    third_home = home(client, third_evaluator)
    assert Evaluation.objects.filter(evaluator=third_evaluator, status="draft").exists()
    assert "Evaluations in progress" in third_home and "Nothing in progress" in third_home


def home_results(client, user):
    client.force_login(user)
    return client.get(reverse("home")).context["results"]


def test_with_the_reference_still_to_agree_the_result_waits(client, users, revealed):
    revealed.session_contacts.update(agreed_score=None)  # nothing agreed yet at the meeting
    page = home(client, users[Role.EVALUATOR])
    assert "Your result appears once the reference scores are agreed at the meeting." in page


def test_drafts_in_progress_name_their_session(client, users, session):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    draft = score_as(first, session, contacts_of(session)[2], submit=False)
    page = home(client, first)
    assert reverse("evaluation_detail", args=[draft.pk]) in page
    assert "March calibration" in page and "last saved" in page


def test_the_home_reads_sessions_in_a_fixed_number_of_queries(
    users, session, version, team, django_assert_num_queries
):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    with django_assert_num_queries(3):
        assert len(selectors.sessions_to_score(user=first)) == 1
    services.session_plan(
        user=users[Role.QA_LEAD],
        contacts=contacts_of(session),
        evaluators=[first],
        title="Another",
        version=version,
        team=team,
        facilitator=users[Role.QA_LEAD],
        scoring_deadline=session.scoring_deadline,
        meeting_at=session.meeting_at,
    )
    with django_assert_num_queries(3):
        assert [s.session.title for s in selectors.sessions_to_score(user=first)] == [
            "March calibration",
            "Another",
        ]


# --- the button on the home page: the next contact still to score --------------------------


def test_the_home_button_opens_the_next_contact_to_score(client, users, session):
    first = users[Role.EVALUATOR]
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    contacts = contacts_of(session)
    score_as(first, session, contacts[0])
    client.force_login(first)
    url = reverse("session_score_next", args=[session.pk])
    response = client.post(url)
    opened = Evaluation.objects.get(evaluator=first, contact=contacts[1])
    assert response.url == reverse("evaluation_detail", args=[opened.pk])
    assert client.post(url).url == response.url  # the same draft again, no duplicate
    for contact in contacts[1:]:
        score_as(first, session, contact)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("session_detail", args=[session.pk])
    assert "You have scored every contact in this session." in response.content.decode()


@pytest.mark.parametrize("who", ["agent observer", "qa lead", "outsider"])
def test_only_invited_evaluators_can_use_the_button(client, users, session, who):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    user = {
        "agent observer": users[Role.AGENT],
        "qa lead": users[Role.QA_LEAD],
        "outsider": UserFactory(role=Role.EVALUATOR),
    }[who]
    client.force_login(user)
    response = client.post(reverse("session_score_next", args=[session.pk]))
    assert response.status_code == (404 if who == "outsider" else 403)
    assert not Evaluation.objects.filter(evaluator=user).exists()
