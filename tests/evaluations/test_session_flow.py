"""The evaluation screen inside a calibration session: "Contact 3 of 6 · <session>", previous and
next, and after Submit the next contact still to score (or the session once all are scored)."""

from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration import services as calibration_services
from qalibrate.evaluations import services
from qalibrate.evaluations.models import Evaluation
from tests.factories import ContactFactory
from tests.helpers import criteria, score_as


def contacts_of(session):
    return [sc.contact for sc in session.session_contacts.all()]


def opened(session, user, contact) -> Evaluation:
    return services.evaluation_start(
        contact=contact, evaluator=user, version=session.version, session=session
    )


def screen(client, user, evaluation) -> str:
    client.force_login(user)
    response = client.get(reverse("evaluation_detail", args=[evaluation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def form_fields(version) -> dict[str, str]:
    c = criteria(version)
    return {
        f"c{c['Greets with own name'].pk}": "yes",
        f"c{c['Verifies identity'].pk}": "yes",
        f"c{c['Understands the need'].pk}": "3",
        f"c{c['Information is correct'].pk}": "Correct",
    }


def submit(client, evaluation):
    return client.post(
        reverse("evaluation_submit", args=[evaluation.pk]),
        form_fields(evaluation.version) | {"revision": evaluation.revision},
    )


def open_session(users, session):
    calibration_services.session_move(session=session, user=users[Role.QA_LEAD], action="open")


def test_the_screen_says_where_it_is_in_the_session(client, users, session):
    first = users[Role.EVALUATOR]
    open_session(users, session)
    contacts = contacts_of(session)
    page = screen(client, first, opened(session, first, contacts[0]))
    assert "Contact 1 of 6" in page and "March calibration" in page
    assert reverse("session_detail", args=[session.pk]) in page
    assert "Next contact" in page and "Previous contact" not in page
    assert reverse("session_score", args=[session.pk, contacts[1].pk]) in page

    page = screen(client, first, opened(session, first, contacts[2]))
    assert "Contact 3 of 6" in page and "Previous contact" in page and "Next contact" in page
    assert reverse("session_score", args=[session.pk, contacts[1].pk]) in page
    assert reverse("session_score", args=[session.pk, contacts[3].pk]) in page

    page = screen(client, first, opened(session, first, contacts[5]))
    assert "Contact 6 of 6" in page and "Next contact" not in page


def test_the_badge_says_the_evaluation_is_the_draft(client, users, session):
    first = users[Role.EVALUATOR]
    open_session(users, session)
    page = screen(client, first, opened(session, first, contacts_of(session)[0]))
    assert "Scorecard v1" in page and "Evaluation: draft" in page
    assert "v1 · Draft" not in page
    done = score_as(first, session, contacts_of(session)[1])
    page = screen(client, first, done)
    assert "Scorecard v1" in page and "Evaluation: submitted" in page


def test_submit_opens_the_next_contact_still_to_score_then_the_session(client, users, session):
    first = users[Role.EVALUATOR]
    open_session(users, session)
    contacts = contacts_of(session)
    score_as(first, session, contacts[2])  # scored earlier, out of order
    client.force_login(first)

    evaluation = opened(session, first, contacts[1])
    response = submit(client, evaluation)
    following = Evaluation.objects.get(evaluator=first, contact=contacts[3])
    assert response.url == reverse("evaluation_detail", args=[following.pk])  # 3 is done

    for contact in contacts[3:]:
        evaluation = opened(session, first, contact)
        response = submit(client, evaluation)
    # Round to the one skipped at the start.
    assert response.url == reverse(
        "evaluation_detail", args=[Evaluation.objects.get(evaluator=first, contact=contacts[0]).pk]
    )
    response = client.post(
        reverse("evaluation_submit", args=[response.url.split("/")[-2]]),
        form_fields(session.version) | {"revision": 0},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("session_detail", args=[session.pk])
    page = response.content.decode()
    assert "You have scored every contact in this session." in page
    assert "You have submitted 6 of 6 contacts." in page
    assert Evaluation.objects.filter(evaluator=first, status="submitted").count() == 6


def test_a_submit_outside_a_session_stays_on_its_evaluation(client, users, session):
    first = users[Role.EVALUATOR]
    evaluation = services.evaluation_start(
        contact=ContactFactory(), evaluator=first, version=session.version
    )
    client.force_login(first)
    response = submit(client, evaluation)
    assert response.url == reverse("evaluation_detail", args=[evaluation.pk])


def test_the_submitted_screen_links_back_to_the_session(client, users, session):
    first = users[Role.EVALUATOR]
    open_session(users, session)
    contacts = contacts_of(session)
    done = score_as(first, session, contacts[1])
    page = screen(client, first, done)
    assert "Contact 2 of 6" in page and "Back to the session" in page
    assert "Previous contact" in page and "Next contact" in page


def test_after_the_reveal_others_get_the_way_back_but_no_moves(client, users, revealed):
    first = users[Role.EVALUATOR]
    theirs = revealed.evaluations.filter(evaluator=first).first()
    page = screen(client, users[Role.QA_LEAD], theirs)
    assert "Back to the session" in page and "of 6" in page
    assert "Previous contact" not in page and "Next contact" not in page
    page = screen(client, first, theirs)
    assert "Back to the session" in page and "Next contact" not in page  # no longer scoring


def test_no_other_evaluator_s_answers_before_the_reveal(client, users, session, second_evaluator):
    first = users[Role.EVALUATOR]
    open_session(users, session)
    contact = contacts_of(session)[0]
    theirs = score_as(second_evaluator, session, contact, comment="THEIR-COMMENT")
    mine = opened(session, first, contact)
    page = screen(client, first, mine)
    assert "THEIR-COMMENT" not in page
    for viewer in (first, users[Role.AGENT], users[Role.QA_LEAD]):
        client.force_login(viewer)
        assert client.get(reverse("evaluation_detail", args=[theirs.pk])).status_code == 404


def test_the_previous_and_next_buttons_are_only_for_the_invited(client, users, session):
    open_session(users, session)
    contact = contacts_of(session)[1]
    url = reverse("session_score", args=[session.pk, contact.pk])
    for viewer in (users[Role.AGENT], users[Role.QA_LEAD]):
        client.force_login(viewer)
        assert client.post(url).status_code == 403
