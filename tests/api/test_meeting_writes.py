"""What the facilitator records in the meeting, through the API (an integration with their
token): agreed answers with reasons, notes, flags; and a scorecard imported from its JSON.
The discussion screen's rules: those who run the session, during discussion, on the session's
contacts and criteria."""

import pytest

from qalibrate.accounts.models import Role
from qalibrate.calibration.models import AgreedAnswer, CriterionFlag
from qalibrate.scorecards import formats
from qalibrate.scorecards.models import Scorecard
from tests.factories import ContactFactory
from tests.helpers import criteria


def test_the_facilitator_records_an_agreed_answer_with_its_reason(api, users, revealed):
    lead = api(users[Role.QA_LEAD])
    contact = revealed.session_contacts.first().contact
    need = criteria(revealed.version)["Understands the need"]
    url = f"/api/v1/sessions/{revealed.pk}/agreed-answers/"
    body = {"contact": contact.pk, "criterion": need.pk, "value": "4", "reason": "Asked twice."}
    answer = lead.post(url, body, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {
        "contact": contact.pk,
        "criterion": need.pk,
        "value": "4",
        "is_na": False,
        "reason": "Asked twice.",
    }
    stored = AgreedAnswer.objects.get(session_contact__contact=contact, criterion=need)
    assert (stored.value, stored.reason) == ("4", "Asked twice.")

    for wrong, field in [
        ({**body, "value": "9"}, None),  # not a point of the scale
        ({**body, "contact": ContactFactory(agent=contact.agent).pk}, "contact"),
        ({**body, "criterion": 999_999}, "criterion"),
    ]:
        refused = lead.post(url, wrong, format="json")
        assert refused.status_code == 400, wrong
        if field:
            assert refused.json()["errors"][0]["field"] == field
    assert AgreedAnswer.objects.get(pk=stored.pk).value == "4"
    for someone in (users[Role.EVALUATOR], users[Role.AGENT]):
        assert api(someone).post(url, body, format="json").status_code in (403, 404)


def test_notes_and_flags(api, users, revealed):
    lead = api(users[Role.QA_LEAD])
    contact = revealed.session_contacts.first().contact
    notes = lead.post(
        f"/api/v1/sessions/{revealed.pk}/notes/",
        {"contact": contact.pk, "notes": "  Good recovery after the hold.  "},
        format="json",
    )
    assert notes.json() == {"contact": contact.pk, "notes": "Good recovery after the hold."}
    verify = criteria(revealed.version)["Verifies identity"]
    url = f"/api/v1/sessions/{revealed.pk}/flags/"
    flagged = lead.post(
        url, {"criterion": verify.pk, "kind": "clarify", "note": "Name the ids."}, format="json"
    )
    assert flagged.json() == {
        "criterion": verify.pk,
        "kind": "clarify",
        "note": "Name the ids.",
        "removed": False,
    }
    assert CriterionFlag.objects.get(session=revealed).note == "Name the ids."
    removed = lead.post(url, {"criterion": verify.pk, "kind": "clarify", "remove": True})
    assert removed.json()["removed"] is True
    assert not CriterionFlag.objects.exists()
    assert lead.post(url, {"criterion": verify.pk, "kind": "other"}).status_code == 400


def test_only_during_discussion(api, users, session):
    contact = session.session_contacts.first().contact
    need = criteria(session.version)["Understands the need"]
    refused = api(users[Role.QA_LEAD]).post(
        f"/api/v1/sessions/{session.pk}/agreed-answers/",
        {"contact": contact.pk, "criterion": need.pk, "value": "4"},
        format="json",
    )
    assert refused.status_code == 400
    assert "only while the session is in discussion" in refused.json()["detail"]


def test_a_scorecard_imported_from_its_json(api, users, version):
    document = formats.version_to_dict(version)
    document["name"] = "Imported call form"
    made = api(users[Role.QA_LEAD]).post("/api/v1/scorecards/import/", document, format="json")
    assert made.status_code == 201, made.json()
    scorecard = Scorecard.objects.get(name="Imported call form")
    assert made.json()["id"] == scorecard.pk
    assert scorecard.draft.sections.count() == version.sections.count()
    broken = {**document, "name": "Broken", "sections": [{"title": ""}]}
    refused = api(users[Role.QA_LEAD]).post("/api/v1/scorecards/import/", broken, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]
    assert not Scorecard.objects.filter(name="Broken").exists()
    listed = api(users[Role.QA_LEAD]).post("/api/v1/scorecards/import/", [document], format="json")
    assert listed.status_code == 400
    evaluator = api(users[Role.EVALUATOR]).post("/api/v1/scorecards/import/", document)
    assert evaluator.status_code == 403


@pytest.fixture(autouse=True)
def _paths_are_in_the_schema(api, users):
    schema = api(users[Role.QA_LEAD]).get("/api/schema/?format=json").json()
    for path in ("agreed-answers", "notes", "flags"):
        assert f"/api/v1/sessions/{{id}}/{path}/" in schema["paths"]
    assert "/api/v1/scorecards/import/" in schema["paths"]
