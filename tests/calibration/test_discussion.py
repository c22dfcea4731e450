"""Reveal, discussion, agreed answers, flags, actions, completion and sharing, with the numbers
worked out by hand from the test scorecard (tests/factories.py: build_scorecard).

Scores on that scorecard (Opening weight 1: greet 1 pt, verify 2 pt critical for the form;
Resolution weight 2: need on 0-5 worth 4 pt, info Correct 3 / Partly 1 / Wrong 0 or N/A):
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors, selectors, services
from qalibrate.calibration.models import (
    ActionStatus,
    AgreedAnswer,
    FlagKind,
    Participant,
    ReferenceMode,
    SessionStatus,
)
from qalibrate.evaluations import services as evaluation_services
from qalibrate.evaluations.models import Evaluation
from qalibrate.evaluations.services import AnswerInput
from qalibrate.scorecards import services as scorecard_services
from tests.factories import AgentFactory, UserFactory
from tests.helpers import criteria, score_as

# (opening share × 1 + resolution share × 2) / 3 × 100
DEFAULT = (1 + 2 * (4 * 3 / 5 + 3) / 7) / 3 * 100  # yes, yes, 3, Correct: 84.76
TOP = 100.0  # yes, yes, 5, Correct
NO_GREETING = (2 / 3 + 2 * (4 * 3 / 5 + 3) / 7) / 3 * 100  # no, yes, 3, Correct: 73.65
INFO_NA = (1 + 2 * (4 * 3 / 5) / 4) / 3 * 100  # yes, yes, 3, N/A: 73.33
WEAK = (1 + 2 * (4 * 1 / 5 + 1) / 7) / 3 * 100  # yes, yes, 1, Partly: 50.48


def test_reveal_prefills_the_agreed_answers_with_the_majority(revealed):
    c = [sc for sc in revealed.session_contacts.all()]
    need = criteria(revealed.version)["Understands the need"]
    info = criteria(revealed.version)["Information is correct"]
    assert AgreedAnswer.objects.get(session_contact=c[0], criterion=need).value == "3"
    assert (
        AgreedAnswer.objects.get(
            session_contact=c[1], criterion=criteria(revealed.version)["Greets with own name"]
        ).value
        == "no"
    )
    assert AgreedAnswer.objects.get(session_contact=c[5], criterion=info).is_na
    assert not AgreedAnswer.objects.filter(decided_at__isnull=False).exists()
    scores = [sc.agreed_score for sc in c]
    assert scores == pytest.approx([DEFAULT, NO_GREETING, DEFAULT, TOP, DEFAULT, INFO_NA])


def test_discussion_figures(revealed, users, second_evaluator, third_evaluator):
    result = meeting_selectors.discussion(revealed)
    contacts = [sc.contact for sc in revealed.session_contacts.all()]
    # The lowest reference first (c5: the majority's 73.3), the highest next (c3: 100), then
    # the widest spread first (c2: 0, 84.8, 84.8, the critical one evaluator failed).
    assert [row.contact for row in result.contacts] == [contacts[i] for i in (5, 3, 2, 0, 1, 4)]
    critical_row = result.contacts[2]
    assert critical_row.totals == pytest.approx([0, DEFAULT, DEFAULT])
    assert critical_row.spread.spread == pytest.approx(DEFAULT)
    assert critical_row.reference_total == pytest.approx(DEFAULT)
    # The draft stays out: the third "did not score" c4.
    assert result.contacts[-1].totals[2] is None

    deviations = {row.user: row.deviation for row in result.evaluators}
    first = deviations[users[Role.EVALUATOR]]
    assert (first.n, first.mean_abs, first.bias) == (
        6,
        pytest.approx(DEFAULT / 6),
        pytest.approx(-DEFAULT / 6),
    )
    assert not first.within_tolerance
    second = deviations[second_evaluator]
    assert second.mean_abs == pytest.approx((TOP - DEFAULT) / 6) and second.within_tolerance
    third = deviations[third_evaluator]
    assert third.n == 5
    assert third.mean_abs == pytest.approx(((DEFAULT - NO_GREETING) + (INFO_NA - WEAK)) / 5)
    assert result.calibrated is False
    # 17 scores; within 5 points of the reference: all but c0/second, c1/third, c2/first, c5/third.
    assert result.share_within == pytest.approx(13 / 17)

    # The most disputed criterion comes first within a contact, with who said what.
    c0 = next(row for row in result.contacts if row.contact == contacts[0])
    top = c0.criteria[0]
    assert top.criterion.text == "Understands the need"
    assert [(g.label, g.count) for g in top.groups] == [("3", 2), ("5", 1)]
    greet = next(r for r in c0.criteria if r.criterion.text == "Greets with own name")
    assert greet.groups[0].voices[0].comment == "SECRET-COMMENT heard the name"

    agreement = {row.criterion.text: row for row in result.criteria}
    # Verify: 5 of 6 contacts unanimous; c2 has 1 agreeing pair of 3 → (5 + 1/3) / 6.
    assert agreement["Verifies identity"].agreement == pytest.approx((5 + 1 / 3) / 6)
    assert agreement["Verifies identity"].n == 17
    # N/A judged as applicability: on c5 two said N/A, one answered → (5 + 1/3) / 6.
    info = agreement["Information is correct"].figures
    assert info.na_consistency == pytest.approx((5 + 1 / 3) / 6)
    assert info.agreement == pytest.approx(1.0)  # N/A left out: the answers given all agree
    # The first evaluator's answers match the agreed ones except the critical on c2: 23 of 24.
    assert next(
        row.matches_agreed for row in result.evaluators if row.user == users[Role.EVALUATOR]
    ) == pytest.approx(23 / 24)
    # Session alpha on the totals, against the krippendorff package (test-only oracle).
    import krippendorff
    import numpy as np

    matrix = np.array([row.totals for row in result.contacts], dtype=float).T  # raters × units
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")
    assert result.totals.alpha.estimate == pytest.approx(expected, abs=1e-9)
    assert result.totals.alpha.low <= result.totals.alpha.estimate <= result.totals.alpha.high
    assert result.totals.icc is None  # the third did not score c4: no complete panel


def test_expert_reference(users, session, second_evaluator):
    session.reference_mode, session.expert = ReferenceMode.EXPERT, second_evaluator
    session.save()
    lead, first = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_move(session=session, user=lead, action="open")
    third = UserFactory(role=Role.EVALUATOR)
    Participant.objects.create(session=session, user=third)
    contact = session.session_contacts.first().contact
    score_as(first, session, contact)
    score_as(third, session, contact)
    score_as(second_evaluator, session, contact, need="5")
    services.session_move(session=session, user=lead, action="reveal")
    row = next(r for r in meeting_selectors.discussion(session).contacts if r.contact == contact)
    assert row.reference_total == pytest.approx(TOP)  # the expert's, against a majority of 3
    need = next(r for r in row.criteria if r.criterion.text == "Understands the need")
    assert need.agreed.value == "5"


def test_median_reference(users, session, second_evaluator):
    session.reference_mode = ReferenceMode.MEDIAN
    session.save()
    lead, first = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_move(session=session, user=lead, action="open")
    contact = session.session_contacts.first().contact
    score_as(first, session, contact, need="1")
    score_as(second_evaluator, session, contact, need="4")
    services.session_move(session=session, user=lead, action="reveal")
    row = next(r for r in meeting_selectors.discussion(session).contacts if r.contact == contact)
    low = (1 + 2 * (4 * 1 / 5 + 3) / 7) / 3 * 100
    high = (1 + 2 * (4 * 4 / 5 + 3) / 7) / 3 * 100
    assert row.reference_total == pytest.approx((low + high) / 2)
    need = next(r for r in row.criteria if r.criterion.text == "Understands the need")
    assert need.agreed.value == "1"  # the lower median stays a point on the scale


def test_the_facilitator_records_agreed_answers(revealed, users, second_evaluator):
    lead = users[Role.QA_LEAD]
    c0 = revealed.session_contacts.first()
    need = criteria(revealed.version)["Understands the need"]
    services.agreed_answer_set(
        session_contact=c0,
        criterion=need,
        user=lead,
        answer=AnswerInput("5"),
        reason="Asked two clarifying questions",
    )
    c0.refresh_from_db()
    assert c0.agreed_score == pytest.approx(TOP)
    agreed = AgreedAnswer.objects.get(session_contact=c0, criterion=need)
    assert (agreed.decided_by, agreed.reason) == (lead, "Asked two clarifying questions")

    with pytest.raises(ValidationError, match="not a possible answer"):
        services.agreed_answer_set(
            session_contact=c0, criterion=need, user=lead, answer=AnswerInput("9")
        )
    with pytest.raises(ValidationError, match="N/A is not allowed"):
        services.agreed_answer_set(
            session_contact=c0, criterion=need, user=lead, answer=AnswerInput(na=True)
        )
    for outsider in (users[Role.EVALUATOR], users[Role.AGENT], UserFactory(role=Role.QA_LEAD)):
        with pytest.raises(PermissionDenied):
            services.agreed_answer_set(
                session_contact=c0, criterion=need, user=outsider, answer=AnswerInput("1")
            )
    assert AgreedAnswer.objects.get(session_contact=c0, criterion=need).value == "5"


def test_discussion_page_by_role(client, users, session, revealed, second_evaluator):
    url = reverse("session_discussion", args=[revealed.pk])
    expected = {
        users[Role.ADMIN]: 200,
        users[Role.QA_LEAD]: 200,
        users[Role.EVALUATOR]: 200,  # a participant
        users[Role.AGENT]: 403,  # observes the meeting, never sees who scored what
        UserFactory(role=Role.EVALUATOR): 404,  # not in the session
    }
    for user, status in expected.items():
        client.force_login(user)
        assert client.get(url).status_code == status, user.role
    client.force_login(users[Role.EVALUATOR])
    page = client.get(url + "?contact=all").content.decode()
    assert "SECRET-COMMENT" in page and str(second_evaluator) in page
    assert "agree-form" not in page  # only the facilitator records


def test_nothing_leaks_before_the_reveal(client, users, session, second_evaluator):
    lead, first = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_move(session=session, user=lead, action="open")
    contact = session.session_contacts.first().contact
    mine = score_as(first, session, contact, need="5", comment="SECRET-COMMENT")
    for viewer in (lead, users[Role.ADMIN], second_evaluator, users[Role.AGENT]):
        client.force_login(viewer)
        assert client.get(reverse("session_discussion", args=[session.pk])).status_code in (
            403,
            404,
        )
        assert client.get(reverse("evaluation_detail", args=[mine.pk])).status_code == 404
        for url in (
            reverse("session_detail", args=[session.pk]),
            reverse("evaluation_list"),
            reverse("contact_detail", args=[contact.pk]),
        ):
            response = client.get(url)
            assert b"SECRET-COMMENT" not in response.content
            assert b"100.0" not in response.content, url


def test_anonymous_display(client, users, revealed, second_evaluator, third_evaluator):
    client.force_login(users[Role.QA_LEAD])
    page = client.get(
        reverse("session_discussion", args=[revealed.pk]) + "?anonymous=1"
    ).content.decode()
    # Everything about scores comes before the follow-up actions (whose owners are named).
    scores_part = page.split('id="actions"')[0]
    for evaluator in (users[Role.EVALUATOR], second_evaluator, third_evaluator):
        assert str(evaluator) not in scores_part
    assert all(f"Evaluator {letter}" in page for letter in "ABC")
    labels = meeting_selectors.evaluator_labels(
        revealed, [users[Role.EVALUATOR], second_evaluator, third_evaluator], anonymous=True
    )
    assert sorted(labels.values()) == ["Evaluator A", "Evaluator B", "Evaluator C"]


def test_agreeing_through_htmx_redraws_the_contact(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    c0 = revealed.session_contacts.first()
    need = criteria(revealed.version)["Understands the need"]
    url = reverse("session_agree", args=[revealed.pk, c0.pk, need.pk])
    response = client.post(url, {"value": "5", "reason": "fine"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card contact-result"')
    assert "100.0" in html
    bad = client.post(url, {"value": "7"}, HTTP_HX_REQUEST="true").content.decode()
    assert "not a possible answer" in bad
    c0.refresh_from_db()
    assert c0.agreed_score == pytest.approx(TOP)  # the bad value changed nothing


def test_flags_reach_the_next_draft_of_the_scorecard(client, users, revealed):
    lead = users[Role.QA_LEAD]
    need = criteria(revealed.version)["Understands the need"]
    services.criterion_flag_set(
        session=revealed,
        criterion=need,
        user=lead,
        kind=FlagKind.CLARIFY,
        note="What counts as understanding: restating the need?",
    )
    services.criterion_flag_set(
        session=revealed,
        criterion=criteria(revealed.version)["Verifies identity"],
        user=lead,
        kind=FlagKind.PROCESS,
        note="The CRM hides the security question",
    )
    draft = scorecard_services.draft_start(scorecard=revealed.version.scorecard, user=lead)
    client.force_login(users[Role.AGENT])  # reviewers of any role read the draft
    for name in ("scorecard_review", "scorecard_builder"):
        client.force_login(lead)
        page = client.get(reverse(name, args=[draft.pk])).content.decode()
        assert "What counts as understanding: restating the need?" in page
        assert "The CRM hides the security question" in page


def test_follow_up_actions(client, users, revealed, second_evaluator):
    lead, first = users[Role.QA_LEAD], users[Role.EVALUATOR]
    due = timezone.localdate() + timedelta(days=7)
    action = services.action_add(
        session=revealed,
        user=lead,
        description="Rewrite the guideline",
        owner=first,
        due_date=due,
    )
    other = services.action_add(
        session=revealed, user=lead, description="Check the CRM", owner=lead
    )
    with pytest.raises(PermissionDenied):
        services.action_add(session=revealed, user=first, description="Mine", owner=first)
    client.force_login(first)
    listed = client.get(reverse("action_list")).content.decode()
    assert "Rewrite the guideline" in listed and "Check the CRM" not in listed
    response = client.post(
        reverse("action_status", args=[action.pk]), {"status": ActionStatus.DONE}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_at is not None
    assert (
        client.post(
            reverse("action_status", args=[other.pk]), {"status": ActionStatus.DONE}
        ).status_code
        == 403
    )
    client.force_login(lead)
    listed = client.get(reverse("action_list")).content.decode()
    assert "Check the CRM" in listed and "Rewrite the guideline" not in listed  # done: hidden
    assert (
        "Rewrite the guideline" in client.get(reverse("action_list") + "?done=1").content.decode()
    )


def test_completion_makes_official_evaluations_and_shares(client, users, revealed):
    lead, agent_user = users[Role.QA_LEAD], users[Role.AGENT]
    contacts = list(revealed.session_contacts.select_related("contact"))
    # One contact belongs to the agent with a login; another already has a released evaluation.
    own = contacts[0].contact
    own.agent = agent_user.agent_profile
    own.save()
    shared = contacts[1].contact
    earlier = score_as(lead, None, shared, version=revealed.version, need="2")
    evaluation_services.evaluation_release(evaluation=earlier, user=lead)
    services.contact_notes_set(
        session_contact=contacts[0], user=lead, notes="Good greeting; ask before assuming."
    )

    client.force_login(lead)
    page = client.get(reverse("session_complete", args=[revealed.pk])).content.decode()
    assert "The group is not yet calibrated." in page
    response = client.post(
        reverse("session_complete", args=[revealed.pk]),
        {"summary": "We agreed.", "agreed_becomes_official": "on", "share_with_agents": "on"},
        follow=True,
    )
    assert "1 contact already had an evaluation shared with the agent" in response.content.decode()
    revealed.refresh_from_db()
    assert revealed.status == SessionStatus.COMPLETED and revealed.summary == "We agreed."
    official = Evaluation.objects.filter(agreed_in=revealed)
    assert official.count() == 5 and not official.filter(contact=shared).exists()
    mine = official.get(contact=own)
    assert mine.score == pytest.approx(contacts[0].agreed_score)
    assert mine.released_at is not None and mine.summary == "Good greeting; ask before assuming."
    earlier.refresh_from_db()
    assert earlier.released_at is not None  # kept as it was

    # Locked afterwards.
    with pytest.raises(ValidationError):
        services.contact_notes_set(session_contact=contacts[0], user=lead, notes="changed")

    # The agent sees the agreed result of their own contact, not who scored what.
    client.force_login(agent_user)
    assert revealed in selectors.sessions_for(user=agent_user)
    page = client.get(reverse("session_detail", args=[revealed.pk])).content.decode()
    assert "Good greeting; ask before assuming." in page
    assert own.external_id in page and shared.external_id not in page
    for evaluator in revealed.participants.filter(role="evaluator"):
        assert str(evaluator.user) not in page
    assert client.get(reverse("session_discussion", args=[revealed.pk])).status_code == 403
    official_page = client.get(reverse("evaluation_detail", args=[mine.pk])).content.decode()
    assert "Agreed by the quality team in the calibration session" in official_page
    stranger = UserFactory(role=Role.AGENT)
    AgentFactory(user=stranger)
    client.force_login(stranger)
    assert client.get(reverse("session_detail", args=[revealed.pk])).status_code == 404


def test_results_are_not_shared_unless_chosen(client, users, revealed):
    lead, agent_user = users[Role.QA_LEAD], UserFactory(role=Role.AGENT)
    own = revealed.session_contacts.first().contact
    own.agent = AgentFactory(user=agent_user)
    own.save()
    services.session_complete(session=revealed, user=lead, summary="Done")
    assert not Evaluation.objects.filter(agreed_in=revealed).exists()
    assert revealed not in selectors.sessions_for(user=agent_user)


def test_history_compares_with_the_previous_session(users, revealed, second_round):
    first, later = users[Role.EVALUATOR], second_round
    assert meeting_selectors.previous_session(later) == revealed
    result = meeting_selectors.discussion_with_history(later)
    assert result.previous_session == revealed
    by_user = {row.user: row for row in result.evaluators}
    assert by_user[first].previous.mean_abs == pytest.approx(DEFAULT / 6)
    assert by_user[first].deviation.mean_abs == pytest.approx(0)
    verify = next(row for row in result.criteria if row.criterion.text == "Verifies identity")
    assert verify.previous == pytest.approx((5 + 1 / 3) / 6) and verify.agreement == 1


def test_flag_and_unflag_through_the_page(client, users, revealed):
    need = criteria(revealed.version)["Understands the need"]
    url = reverse("session_flag", args=[revealed.pk, need.pk])
    client.force_login(users[Role.EVALUATOR])
    assert client.post(url, {"kind": "clarify", "note": "x"}).status_code == 403
    assert not revealed.flags.exists()  # refused: only the facilitator flags
    client.force_login(users[Role.QA_LEAD])
    client.post(url, {"kind": "clarify", "note": "Unclear scale"})
    assert revealed.flags.get().note == "Unclear scale"
    client.post(url, {"kind": "process", "remove": "on"})  # nothing of that kind: no-op
    assert revealed.flags.count() == 1
    client.post(url, {"kind": "clarify", "remove": "on"})
    assert not revealed.flags.exists()
    response = client.post(url, {"kind": "nonsense"}, follow=True)
    assert "Unknown flag." in response.content.decode()
