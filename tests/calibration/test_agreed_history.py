"""The history of agreed answers: the reveal's prefill with its source, then every change at the
meeting (who, when, before, after, why), on the meeting screen and the report page, named only
where those pages already name people, in a fixed number of queries."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration import meeting_selectors, services
from qalibrate.calibration.answers import answer_label, reference_answer, reference_proposal
from qalibrate.calibration.models import (
    AgreedAnswer,
    AgreedAnswerChange,
    AgreedSource,
    CalibrationSession,
    ReferenceMode,
)
from qalibrate.evaluations.models import Answer, Evaluation
from qalibrate.evaluations.services import AnswerInput
from qalibrate.scorecards.models import Criterion
from tests.helpers import criteria

HISTORY = re.compile(r'<details class="agreed-history.*?</details>', re.S)
REPORT_HISTORY = re.compile(r'<section class="card" id="agreed-history">.*?</section>', re.S)


def agree(session_contact, criterion, user, value, reason=""):
    return services.agreed_answer_set(
        session_contact=session_contact,
        criterion=criterion,
        user=user,
        answer=AnswerInput(value),
        reason=reason,
    )


@pytest.fixture
def changed(users, revealed):
    """The need on the first contact (prefilled 3 by the majority of 3, 5, 3): the lead makes
    it 5, then the admin 4, each with a reason."""
    need = criteria(revealed.version)["Understands the need"]
    first = revealed.session_contacts.first()
    agree(first, need, users[Role.QA_LEAD], "5", "Asked two clarifying questions")
    agree(first, need, users[Role.ADMIN], "4", "The second question was the customer's")
    return revealed, first, need


# --- What is kept --------------------------------------------------------------------------


def test_two_changes_keep_both_entries_with_their_authors_and_reasons(users, changed):
    _session, first, need = changed
    history = list(
        AgreedAnswerChange.objects.filter(
            agreed_answer__session_contact=first, agreed_answer__criterion=need
        )
    )
    assert [(h.source, h.old_value, h.new_value) for h in history] == [
        (AgreedSource.MAJORITY, "", "3"),
        (AgreedSource.MEETING, "3", "5"),
        (AgreedSource.MEETING, "5", "4"),
    ]
    assert [(h.changed_by, h.reason) for h in history[1:]] == [
        (users[Role.QA_LEAD], "Asked two clarifying questions"),
        (users[Role.ADMIN], "The second question was the customer's"),
    ]
    assert history[1].at <= history[2].at
    agreed = AgreedAnswer.objects.get(session_contact=first, criterion=need)
    assert (agreed.value, agreed.decided_by, agreed.decided_at) == (
        "4",
        users[Role.ADMIN],
        history[2].at,
    )

    # Saving the same answer and reason again is no change; a new reason alone is one.
    agree(first, need, users[Role.QA_LEAD], "4", "The second question was the customer's")
    assert AgreedAnswerChange.objects.filter(agreed_answer=agreed).count() == 3
    agree(first, need, users[Role.QA_LEAD], "4", "Both questions counted")
    last = AgreedAnswerChange.objects.filter(agreed_answer=agreed).last()
    assert (last.old_value, last.new_value, last.reason) == ("4", "4", "Both questions counted")


def test_a_refused_change_leaves_no_entry(users, changed):
    _session, first, need = changed
    before = AgreedAnswerChange.objects.count()
    with pytest.raises(ValidationError, match="not a possible answer"):
        agree(first, need, users[Role.QA_LEAD], "9")
    with pytest.raises(PermissionDenied):
        agree(first, need, users[Role.EVALUATOR], "1")
    assert AgreedAnswerChange.objects.count() == before


def test_the_prefill_entry_names_its_source(users, revealed):
    """c0: 3, 5, 3 on the need (majority), all greet (unanimous); c3: everyone 5."""
    contacts = list(revealed.session_contacts.all())
    need = criteria(revealed.version)["Understands the need"]
    greet = criteria(revealed.version)["Greets with own name"]
    entries = {
        (h.agreed_answer.session_contact_id, h.agreed_answer.criterion_id): h
        for h in AgreedAnswerChange.objects.select_related("agreed_answer")
    }
    assert len(entries) == AgreedAnswer.objects.count() == 24  # one each, the reveal's
    assert entries[(contacts[0].pk, need.pk)].source == AgreedSource.MAJORITY
    assert entries[(contacts[0].pk, greet.pk)].source == AgreedSource.UNANIMOUS
    assert (
        entries[(contacts[3].pk, need.pk)].source,
        entries[(contacts[3].pk, need.pk)].new_value,
    ) == (AgreedSource.UNANIMOUS, "5")
    assert all(h.changed_by == users[Role.QA_LEAD] for h in entries.values())  # who revealed
    assert all(h.old_value == "" and h.reason == "" for h in entries.values())
    row = next(
        r
        for r in meeting_selectors.discussion(revealed, changes=True).contacts
        if r.session_contact == contacts[0]
    )
    item = next(i for i in row.criteria if i.criterion == need)
    assert item.prefill.source_label == "prefilled from the majority" and not item.changed


def answers(*given):
    """Unsaved answers: (evaluator id, form value)."""
    return [
        Answer(
            value="" if value == "na" else value,
            is_na=value == "na",
            evaluation=Evaluation(evaluator_id=who),
        )
        for who, value in given
    ]


def test_each_source_of_the_reveal_proposal():
    yes_no, scale = Criterion(kind="yes_no"), Criterion(kind="scale", scale_min=0, scale_max=5)
    consensus = CalibrationSession(reference_mode=ReferenceMode.CONSENSUS)
    expert = CalibrationSession(reference_mode=ReferenceMode.EXPERT, expert_id=2)
    median = CalibrationSession(reference_mode=ReferenceMode.MEDIAN)
    propose = reference_proposal
    assert propose(consensus, yes_no, answers((1, "no"), (2, "yes"))) == ("yes", "tie")
    assert propose(consensus, yes_no, answers((1, "no"), (2, "no"), (3, "yes"))) == (
        "no",
        "majority",
    )
    assert propose(consensus, yes_no, answers((1, "no"), (2, "no"))) == ("no", "unanimous")
    assert propose(consensus, yes_no, answers((1, "no"))) == ("no", "majority")  # one is no group
    assert propose(expert, yes_no, answers((1, "no"), (2, "yes"), (3, "no"))) == ("yes", "expert")
    assert propose(expert, yes_no, answers((1, "no"), (3, "no")))[1] == "unanimous"  # no expert
    assert propose(median, scale, answers((1, "1"), (2, "4"), (3, "5"))) == ("4", "median")
    assert propose(consensus, yes_no, []) is None
    assert reference_answer(consensus, yes_no, answers((1, "no"), (2, "yes"))) == "yes"


# --- Where it shows ------------------------------------------------------------------------


def test_the_meeting_screen_shows_the_history(client, users, changed):
    session, first, need = changed
    lead, admin = users[Role.QA_LEAD], users[Role.ADMIN]
    client.force_login(lead)
    url = reverse("session_discussion", args=[session.pk])
    html = client.get(url + "?contact=all").content.decode()
    histories = HISTORY.findall(html)
    assert len(histories) == 1  # only the decided answer folds its history away
    history = histories[0]
    assert "History of the agreed answer: 3 entries" in history
    assert "3, prefilled from the majority" in history
    assert f"Changed from 3 to 5 by {lead} at " in history
    assert ": Asked two clarifying questions" in history
    assert f"Changed from 5 to 4 by {admin} at " in history
    # Answers still to decide say where their proposal came from.
    assert "prefilled from the majority</span>" in html
    assert "prefilled: all evaluators agreed</span>" in html

    # An evaluator follows without the form: each answer with its source, the history folded.
    client.force_login(users[Role.EVALUATOR])
    html = client.get(url + "?contact=all").content.decode()
    assert f"Changed from 5 to 4 by {admin} at " in HISTORY.search(html).group()
    assert 'class="agreed-history small muted">3, prefilled from the majority' in html


def test_agreeing_redraws_the_history_in_place(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    row = next(r for r in meeting_selectors.discussion(revealed).contacts if r.disputed)
    item = row.disputed[0]
    url = reverse("session_agree", args=[revealed.pk, row.session_contact.pk, item.criterion.pk])
    html = client.post(
        url, {"value": item.agreed.form_value, "reason": "Heard it twice"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    label = answer_label(item.criterion, item.agreed.form_value)
    assert f"{label} confirmed by {users[Role.QA_LEAD]} at " in HISTORY.search(html).group()
    assert ": Heard it twice" in html


def test_the_anonymous_display_names_nobody_in_the_history(client, users, changed):
    session, _first, _need = changed
    client.force_login(users[Role.QA_LEAD])
    url = reverse("session_discussion", args=[session.pk]) + "?anonymous=1&contact=all"
    history = HISTORY.search(client.get(url).content.decode()).group()
    assert "Changed from 3 to 5 at " in history and "Changed from 5 to 4 at " in history
    for person in (users[Role.QA_LEAD], users[Role.ADMIN]):
        assert str(person) not in history
    report = client.get(reverse("session_report", args=[session.pk]) + "?anonymous=1")
    section = REPORT_HISTORY.search(report.content.decode()).group()
    assert "Changed from 5 to 4 at " in section and str(users[Role.ADMIN]) not in section


def test_the_report_page_shows_the_history(client, users, changed, second_evaluator):
    session, first, need = changed
    url = reverse("session_report", args=[session.pk])
    number = next(
        n
        for n, row in enumerate(meeting_selectors.discussion(session).contacts, 1)
        if row.session_contact == first
    )
    for viewer in (users[Role.QA_LEAD], second_evaluator):  # those the report is for, named
        client.force_login(viewer)
        section = REPORT_HISTORY.search(client.get(url).content.decode()).group()
        assert "1 agreed answer was decided at the meeting" in section
        assert f"<h3>{number}. {first.contact.agent} " in section
        assert f"<strong>{need.text}</strong>: 4" in section
        assert "3, prefilled from the majority" in section
        assert f"Changed from 3 to 5 by {users[Role.QA_LEAD]} at " in section
        assert "The second question was the customer&#x27;s" in section


def test_the_report_has_no_history_section_before_any_decision(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    page = client.get(reverse("session_report", args=[revealed.pk])).content.decode()
    assert 'id="agreed-history"' not in page and "History of the agreed answers" not in page


def test_agents_see_no_history(client, users, changed):
    """An agent whose contact was discussed sees its agreed answer and the last reason, as
    before: never the earlier answers, reasons or who changed them."""
    session, first, need = changed
    agent_user = users[Role.AGENT]
    contact = first.contact
    contact.agent = agent_user.agent_profile
    contact.save()
    services.session_complete(
        session=session, user=users[Role.QA_LEAD], summary="Done", share_with_agents=True
    )
    client.force_login(agent_user)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert contact.external_id in page and "The second question was the customer&#x27;s" in page
    assert "Asked two clarifying questions" not in page and "Changed from" not in page
    assert "prefilled" not in page and str(users[Role.ADMIN]) not in page
    for name in ("session_discussion", "session_report"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 403


# --- Queries -------------------------------------------------------------------------------


def test_the_history_adds_no_query_per_change(client, users, revealed):
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    urls = [
        reverse("session_discussion", args=[revealed.pk]) + "?contact=all",
        reverse("session_discussion", args=[revealed.pk]) + "?contact=all&anonymous=1",
        reverse("session_report", args=[revealed.pk]),
    ]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    before = counts()
    need = criteria(revealed.version)["Understands the need"]
    greet = criteria(revealed.version)["Greets with own name"]
    for i, sc in enumerate(revealed.session_contacts.all()):
        agree(sc, need, lead, str(i % 6), f"Reason {i}")
        agree(sc, need, users[Role.ADMIN], "2", f"Again {i}")
        agree(sc, greet, lead, "no")
    assert AgreedAnswerChange.objects.filter(changed_by=users[Role.ADMIN]).count() == 6
    assert counts() == before
