"""JSON nested too deep is bad input everywhere it is read: the API's bodies (test_bodies.py),
the contact import and the scorecard import, through one function (qalibrate.core.jsonsafe)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.contacts.models import Contact
from qalibrate.core import jsonsafe
from qalibrate.scorecards.models import Scorecard

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "text",
    [
        DEEP,
        DEEP.encode(),
        "[" * 33 + "]" * 33,
        '{"a":' * 33 + "1" + "}" * 33,
        ("[" * 40 + "]" * 40).encode("utf-16"),
        '["\\\\",' + "[" * 40 + "]" * 40 + "]",
    ],
)
def test_deeper_than_the_limit_is_a_value_error(text):
    with pytest.raises(jsonsafe.JSONTooDeep, match="nested more than 32 levels"):
        jsonsafe.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 32 + "]" * 32,
        '["' + "[" * 50 + '"]',  # brackets in a string do not nest
        '["\\"' + "[" * 50 + '"]',  # nor after an escaped quote
        '{"a": [1, {"b": [2]}], "c": "]]]]"}',
        "5",
    ],
)
def test_within_the_limit_parses_as_json_does(text):
    assert jsonsafe.loads(text) == json.loads(text)


def test_broken_json_is_still_a_value_error():
    with pytest.raises(ValueError):
        jsonsafe.loads('{"a": ')


def test_the_contact_import_page_names_the_problem(client, users):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(
        reverse("contact_import"),
        {"file": SimpleUploadedFile("contacts.json", DEEP.encode())},
        follow=True,
    )
    assert response.status_code == 200
    assert "nested more than 32 levels" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_deep_transcript_cell_is_a_row_problem(client, users):
    client.force_login(users[Role.QA_LEAD])
    row = {
        "external_id": "D-1",
        "channel": "call",
        "agent_id": "E-1",
        "agent_name": "Ann",
        "occurred_at": "2026-03-02",
        "transcript": "[" * 5000 + "]" * 5000,
    }
    response = client.post(
        reverse("contact_import"),
        {"file": SimpleUploadedFile("contacts.json", json.dumps([row]).encode())},
        follow=True,
    )
    assert response.status_code == 200
    assert "not a JSON list of turns" in response.content.decode()


def test_the_scorecard_import_page_names_the_problem(client, users):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(
        reverse("scorecard_import"), {"file": SimpleUploadedFile("card.json", DEEP.encode())}
    )
    assert response.status_code == 200
    assert "nested more than 32 levels" in response.content.decode()
    assert not Scorecard.objects.exists()
