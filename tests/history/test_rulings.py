"""The book of rulings, its panel beside the evaluation form, and the process problems: per
role, search and filters, nothing from a session before completion, fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.calibration.models import (
    ActionStatus,
    CriterionFlag,
    FlagKind,
    FollowUpAction,
)
from qalibrate.history.models import Ruling
from tests.helpers import criteria


@pytest.fixture
def reasoned(history):
    """The newest session's first ruling carries a reason and the contact's notes."""
    ruling = Ruling.objects.filter(record__session=history[-1]).first()
    ruling.reason = "Needs were confirmed twice, so the middle of the scale."
    ruling.notes = "Customer asked about the invoice"
    ruling.search_text = " ".join([ruling.search_text, ruling.reason, ruling.notes]).lower()
    ruling.save()
    return ruling


@pytest.mark.parametrize("role", [Role.ADMIN, Role.QA_LEAD, Role.EVALUATOR])
def test_staff_read_the_book(client, users, history, role):
    client.force_login(users[role])
    response = client.get(reverse("history_rulings"))
    assert response.status_code == 200
    assert Ruling.objects.exists()
    assert response.context["page"].rulings


def test_agents_and_strangers_are_refused(client, users, history):
    assert client.get(reverse("history_rulings")).status_code == 302
    client.force_login(users[Role.AGENT])
    assert client.get(reverse("history_rulings")).status_code == 403
    assert client.get(reverse("history_problems")).status_code == 403
    key = Ruling.objects.first().criterion_key
    assert client.get(reverse("history_rulings_panel", args=[key])).status_code == 403
    assert client.get("/api/v1/history/rulings/").status_code == 403


def test_search_needs_every_word(client, users, reasoned):
    client.force_login(users[Role.EVALUATOR])
    found = client.get(reverse("history_rulings"), {"q": "INVOICE confirmed"})
    assert [r.pk for r in found.context["page"].rulings] == [reasoned.pk]
    assert reasoned.reason in found.content.decode()
    missed = client.get(reverse("history_rulings"), {"q": "invoice refund"})
    assert missed.context["page"].rulings == []


def test_filters_by_criterion_answer_and_period(client, users, history):
    client.force_login(users[Role.QA_LEAD])
    key = criteria(history[0].version)["Understands the need"].key
    shown = client.get(reverse("history_rulings"), {"criterion": key, "answer": "3"})
    rulings = shown.context["page"].rulings
    assert rulings and all(r.criterion_key == key and r.answer == "3" for r in rulings)
    day = history[-1].meeting_at.date()
    late = client.get(reverse("history_rulings"), {"date_from": day.isoformat()})
    assert {r.record.session_id for r in late.context["page"].rulings} == {history[-1].pk}


def test_a_session_not_completed_gives_no_ruling(client, users, revealed):
    client.force_login(users[Role.QA_LEAD])
    assert client.get(reverse("history_rulings")).context["page"].rulings == []
    assert client.get("/api/v1/history/rulings/").json()["results"] == []


def test_the_api_answers_the_same(client, users, reasoned):
    client.force_login(users[Role.EVALUATOR])
    body = client.get("/api/v1/history/rulings/", {"q": "invoice"}).json()
    assert [r["id"] for r in body["results"]] == [reasoned.pk]
    assert body["results"][0]["reason"] == reasoned.reason
    assert client.get("/api/v1/history/rulings/", {"date_from": "soon"}).status_code == 400


def test_the_panel_leaves_out_the_contact_being_scored(client, users, reasoned):
    client.force_login(users[Role.EVALUATOR])
    url = reverse("history_rulings_panel", args=[reasoned.criterion_key])
    assert reasoned.reason in client.get(url).content.decode()
    other = client.get(url, {"contact": reasoned.contact_id}).content.decode()
    assert reasoned.reason not in other


def test_the_evaluation_screen_links_the_rulings(client, users, history, session):
    from qalibrate.calibration import services
    from tests.helpers import score_as

    lead, evaluator = users[Role.QA_LEAD], users[Role.EVALUATOR]
    services.session_move(session=session, user=lead, action="open")
    contact = session.session_contacts.first().contact
    evaluation = score_as(evaluator, session, contact, submit=False)
    key = criteria(session.version)["Understands the need"].key
    expected = Ruling.objects.filter(criterion_key=key).count()
    client.force_login(evaluator)
    page = client.get(reverse("evaluation_detail", args=[evaluation.pk])).content.decode()
    assert f"{expected} ruling" in page
    assert reverse("history_rulings_panel", args=[key]) in page
    assert f"?contact={contact.pk}" in page


def test_query_counts_do_not_grow(client, users, history, reasoned):
    client.force_login(users[Role.QA_LEAD])
    with CaptureQueriesContext(connection) as everything:
        client.get(reverse("history_rulings"))
    with CaptureQueriesContext(connection) as searched:
        client.get(reverse("history_rulings"), {"q": "invoice"})
    assert len(searched) <= len(everything) <= 12


def test_process_problems_list_flags_and_actions(client, users, history):
    lead = users[Role.QA_LEAD]
    done = history[-1]
    criterion = criteria(done.version)["Verifies identity"]
    CriterionFlag.objects.create(
        session=done,
        criterion=criterion,
        kind=FlagKind.PROCESS,
        note="The CRM hides the ID",
        created_by=lead,
    )
    FollowUpAction.objects.create(
        session=done, description="Ask IT to show the ID", owner=lead, status=ActionStatus.OPEN
    )
    client.force_login(users[Role.EVALUATOR])
    page = client.get(reverse("history_problems")).content.decode()
    assert "The CRM hides the ID" in page and "Ask IT to show the ID" in page
    assert (
        "The CRM hides the ID"
        not in client.get(reverse("history_problems"), {"status": "none"}).content.decode()
    )
    body = client.get("/api/v1/history/problems/").json()
    assert body[0]["note"] == "The CRM hides the ID"
    assert body[0]["actions"][0]["status"] == "open"
