import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import services
from qalibrate.calibration.models import CalibrationSession, SessionStatus
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import Evaluation
from qalibrate.notifications.models import Kind, Notification
from tests.factories import AgentFactory, ContactFactory, UserFactory
from tests.helpers import answers, score_as


def test_defaults_come_from_the_seeds(session):
    assert "lowest and the highest scores" in session.agenda
    assert "Consistency matters more than being right." in session.ground_rules
    assert session.duration_minutes == 60 and session.tolerance == 5


def test_a_whole_session_through_every_state(users, session, second_evaluator):
    lead, first = users[Role.QA_LEAD], users[Role.EVALUATOR]
    contacts = [sc.contact for sc in session.session_contacts.all()]
    with pytest.raises(ValidationError):
        services.session_move(session=session, user=lead, action="reveal")
    services.session_move(session=session, user=lead, action="open")

    mine = score_as(first, session, contacts[0], verify="yes")
    theirs = score_as(second_evaluator, session, contacts[0], verify="no")
    late = score_as(second_evaluator, session, contacts[1], submit=False)

    # Blind: nobody else sees a session evaluation before the reveal, not even the QA lead.
    for viewer in (lead, users[Role.ADMIN], second_evaluator, users[Role.AGENT]):
        assert mine not in Evaluation.objects.visible_to(viewer)
    assert list(Evaluation.objects.visible_to(first)) == [mine]

    services.session_move(session=session, user=lead, action="reveal")
    with pytest.raises(ValidationError, match="no longer taking scores"):
        evaluation_services.evaluation_save(
            evaluation=late, user=second_evaluator, answers=answers(session.version)
        )
    # Revealed: the QA lead and the participants see submitted ones; drafts stay out.
    assert set(Evaluation.objects.visible_to(lead)) == {mine, theirs}
    assert set(Evaluation.objects.visible_to(first)) == {mine, theirs}
    assert late not in Evaluation.objects.visible_to(first)
    outsider = UserFactory(role=Role.EVALUATOR)
    assert not Evaluation.objects.visible_to(outsider).exists()

    services.session_move(session=session, user=lead, action="complete")
    session.refresh_from_db()
    assert session.status == SessionStatus.COMPLETED
    assert [e.to_status for e in session.events.all()] == ["scoring", "discussion", "completed"]
    assert all(e.actor == lead for e in session.events.all())
    with pytest.raises(ValidationError):
        services.session_move(session=session, user=lead, action="cancel")


def test_opening_needs_enough_contacts_and_evaluators(users, version, team):
    now = timezone.now()
    session = services.session_plan(
        user=users[Role.QA_LEAD],
        contacts=[ContactFactory(agent=AgentFactory(team=team))],
        evaluators=[users[Role.EVALUATOR]],
        title="Too small",
        version=version,
        facilitator=users[Role.QA_LEAD],
        scoring_deadline=now,
        meeting_at=now,
    )
    with pytest.raises(ValidationError, match="needs 5 to 10 contacts; it has 1"):
        services.session_move(session=session, user=users[Role.QA_LEAD], action="open")


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.AGENT])
def test_only_qa_staff_plan_and_run(users, session, role):
    with pytest.raises(PermissionDenied):
        services.session_move(session=session, user=users[role], action="open")


def test_another_qa_lead_cannot_run_someone_elses_session(session):
    with pytest.raises(PermissionDenied):
        services.session_move(session=session, user=UserFactory(role=Role.QA_LEAD), action="open")


def test_sampling_spreads_over_agents(team):
    agents = [AgentFactory(team=team) for _ in range(4)]
    for agent in agents:
        ContactFactory.create_batch(5, agent=agent)
    from qalibrate.contacts.models import Contact

    picked = services.contacts_sample(contacts=Contact.objects.all(), count=8, seed=3)
    assert len(picked) == 8 and len(set(picked)) == 8
    assert sorted([c.agent_id for c in picked].count(a.pk) for a in agents) == [2, 2, 2, 2]


# --- pages --------------------------------------------------------------------------------------


def plan_form(users, version, team, second_evaluator) -> dict:
    """The plan form as the QA lead fills it in, but for the contacts."""
    return {
        "title": "April calibration",
        "version": version.pk,
        "team": team.pk,
        "facilitator": users[Role.QA_LEAD].pk,
        "reference_mode": "consensus",
        "tolerance": "5",
        "scoring_deadline": "2026-04-07T12:00",
        "meeting_at": "2026-04-08T10:00",
        "duration_minutes": 60,
        "agenda": "a",
        "ground_rules": "b",
        "evaluators": [users[Role.EVALUATOR].pk, second_evaluator.pk],
    }


def test_planning_page_samples_contacts(client, users, version, team, second_evaluator):
    for _ in range(4):
        ContactFactory.create_batch(3, agent=AgentFactory(team=team))
    client.force_login(users[Role.QA_LEAD])
    page = client.get(reverse("session_plan")).content.decode()
    assert "Consistency matters more than being right." in page
    response = client.post(
        reverse("session_plan"),
        plan_form(users, version, team, second_evaluator)
        | {"agenda": "Lowest first", "ground_rules": "Be honest", "sample_size": 7},
    )
    session = CalibrationSession.objects.get(title="April calibration")
    assert response.url == reverse("session_detail", args=[session.pk])
    assert session.session_contacts.count() == 7


def test_planning_with_contacts_ticked_in_the_list(client, users, version, team, second_evaluator):
    contacts = [ContactFactory(agent=AgentFactory(team=team)) for _ in range(6)]
    client.force_login(users[Role.QA_LEAD])
    listing = client.get(reverse("contact_list")).content.decode()
    assert 'form="pick-form"' in listing
    ticked = [c.pk for c in contacts[:5]]
    page = client.get(reverse("session_plan"), {"contacts": ticked}).content.decode()
    assert "5 contacts picked from the list" in page and "id_sample_size" not in page
    fields = plan_form(users, version, team, second_evaluator) | {"title": "Picked"}
    too_few = client.post(reverse("session_plan"), {**fields, "contacts": ticked[:4]})
    assert "Pick 5 to 10 contacts; 4 are ticked." in too_few.content.decode()
    client.post(reverse("session_plan"), {**fields, "contacts": ticked})
    session = CalibrationSession.objects.get(title="Picked")
    assert [sc.contact_id for sc in session.session_contacts.all()] == ticked
    client.force_login(users[Role.EVALUATOR])
    assert 'form="pick-form"' not in client.get(reverse("contact_list")).content.decode()
    assert client.get(reverse("session_plan")).status_code == 403


def test_planning_refuses_a_deadline_after_the_meeting(client, users, version):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(
        reverse("session_plan"),
        {
            "title": "x",
            "version": version.pk,
            "facilitator": users[Role.QA_LEAD].pk,
            "reference_mode": "expert",
            "tolerance": "5",
            "scoring_deadline": "2026-04-09T12:00",
            "meeting_at": "2026-04-08T10:00",
            "duration_minutes": 60,
            "agenda": "a",
            "ground_rules": "b",
            "evaluators": [users[Role.EVALUATOR].pk],
            "sample_size": 5,
        },
    )
    page = response.content.decode()
    assert "Scoring must end before the meeting starts." in page
    assert "Choose the expert whose answers are the reference." in page
    assert "Invite at least two evaluators." in page
    assert not CalibrationSession.objects.exists()


def test_progress_board_shows_status_never_answers(client, users, session, second_evaluator):
    lead = users[Role.QA_LEAD]
    services.session_move(session=session, user=lead, action="open")
    contact = session.session_contacts.first().contact
    score_as(users[Role.EVALUATOR], session, contact)
    client.force_login(lead)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "1/6" in page and "0/6" in page
    assert "73.3" not in page and "Correct" not in page


def test_participants_score_from_the_session_page(client, users, session):
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    contact = session.session_contacts.first().contact
    url = reverse("session_score", args=[session.pk, contact.pk])
    client.force_login(users[Role.AGENT])  # an observer does not score
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 200
    assert client.post(url).status_code == 403
    client.force_login(users[Role.EVALUATOR])
    response = client.post(url)
    evaluation = Evaluation.objects.get(session=session)
    assert response.url == reverse("evaluation_detail", args=[evaluation.pk])
    assert client.post(url).url == response.url  # the same evaluation again
    client.force_login(UserFactory(role=Role.EVALUATOR))  # not invited
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404
    assert client.post(url).status_code == 404


def test_moves_through_the_pages(client, users, session):
    client.force_login(users[Role.EVALUATOR])
    client.post(reverse("session_move", args=[session.pk, "open"]))
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAFT
    client.force_login(users[Role.QA_LEAD])
    client.post(reverse("session_move", args=[session.pk, "open"]))
    session.refresh_from_db()
    assert session.status == SessionStatus.SCORING
    assert client.post(reverse("session_move", args=[session.pk, "explode"])).status_code == 404


# --- adding people and contacts to a session on its pages -----------------------------------


def test_invite_more_evaluators_and_observers_from_the_session_page(client, users, session):
    newcomer = UserFactory(role=Role.EVALUATOR)
    url = reverse("session_participants_add", args=[session.pk])
    client.force_login(users[Role.EVALUATOR])
    assert client.post(url, {"evaluators": [newcomer.pk]}).status_code == 403
    client.force_login(users[Role.QA_LEAD])
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Invite more people" in page and f'value="{newcomer.pk}"' in page
    client.post(url, {"evaluators": [newcomer.pk]})
    assert session.participants.filter(user=newcomer, role="evaluator").exists()
    assert Notification.objects.filter(user=newcomer, kind=Kind.INVITATION).count() == 1
    # Those already in are not offered again; an agent cannot be invited to score.
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert f'name="evaluators" value="{newcomer.pk}"' not in page
    client.post(url, {"evaluators": [users[Role.AGENT].pk]})
    assert not session.participants.filter(user=users[Role.AGENT], role="evaluator").exists()


def test_add_contacts_ticked_in_the_contact_list(client, users, session, team):
    session.session_contacts.order_by("-position").first().delete()
    extra = [ContactFactory(agent=AgentFactory(team=team)) for _ in range(2)]
    client.force_login(users[Role.QA_LEAD])
    listing = client.get(reverse("contact_list") + f"?add_to={session.pk}").content.decode()
    assert "Add the ticked contacts to “March calibration”" in listing
    assert f'action="/sessions/{session.pk}/contacts/"' in listing
    url = reverse("session_contacts_add", args=[session.pk])
    response = client.post(url, {"contacts": [extra[0].pk, extra[1].pk]})
    assert response.status_code == 302 and response["Location"].endswith(f"/sessions/{session.pk}/")
    assert session.session_contacts.count() == 7
    # More than 10 in all is refused and changes nothing.
    more = [ContactFactory(agent=AgentFactory(team=team)).pk for _ in range(4)]
    client.post(url, {"contacts": more})
    assert session.session_contacts.count() == 7
    # Someone who does not run the session, or a session past planning, gets nothing.
    client.force_login(users[Role.EVALUATOR])
    assert client.post(url, {"contacts": more[:1]}).status_code == 403
    assert (
        "Add the ticked"
        not in client.get(reverse("contact_list") + f"?add_to={session.pk}").content.decode()
    )
    services.session_move(session=session, user=users[Role.QA_LEAD], action="open")
    client.force_login(users[Role.QA_LEAD])
    client.post(url, {"contacts": more[:1]})
    assert session.session_contacts.count() == 7


def test_the_list_pages_by_meeting_newest_first(client, users, session, monkeypatch):
    from datetime import timedelta

    from qalibrate.calibration import views

    earlier = CalibrationSession.objects.get(pk=session.pk)
    earlier.pk = None
    earlier.title = "The earlier one"
    earlier.meeting_at = session.meeting_at - timedelta(days=14)
    earlier.save()
    monkeypatch.setattr(views, "SESSION_PAGE_SIZE", 1)
    client.force_login(users[Role.QA_LEAD])
    first = client.get(reverse("session_list"))
    assert [s.pk for s in first.context["sessions"]] == [session.pk]
    second = client.get(reverse("session_list"), {"older": first.context["page"].older})
    assert [s.pk for s in second.context["sessions"]] == [earlier.pk]
    assert "The earlier one" in second.content.decode() and second.context["page"].older is None
