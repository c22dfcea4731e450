import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from qalibrate.accounts.models import Role
from qalibrate.scorecards.formats import FORMAT_NAME, version_to_dict
from qalibrate.scorecards.models import Scorecard
from tests.factories import build_scorecard


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_export_import_export_is_identical(client, users):
    client.force_login(users[Role.QA_LEAD])
    original = build_scorecard(users[Role.QA_LEAD], publish=True)
    exported = client.get(reverse("scorecard_export", args=[original.current_version.pk]))
    assert exported["Content-Disposition"] == 'attachment; filename="inbound-support-call-v1.json"'
    document = json.loads(exported.content)
    assert document["format"] == FORMAT_NAME and document["format_version"] == 1

    response = client.post(
        reverse("scorecard_import"), {"file": upload("form.json", exported.content)}
    )
    assert response.status_code == 302
    imported = Scorecard.objects.exclude(pk=original.pk).get()
    assert imported.draft.number == 1
    assert version_to_dict(imported.draft) == document


def test_json_with_errors_names_each_field_and_imports_nothing(client, users):
    client.force_login(users[Role.QA_LEAD])
    document = {
        "format": FORMAT_NAME,
        "format_version": 1,
        "name": "",
        "purpose": "fun",
        "language": "en",
        "sections": [
            {
                "title": "Opening",
                "weight": 0,
                "criteria": [
                    {"text": "Greets", "kind": "maybe"},
                    {"text": "Scale", "kind": "scale", "scale_min": 3, "scale_max": 1},
                ],
            },
        ],
    }
    response = client.post(
        reverse("scorecard_import"), {"file": upload("f.json", json.dumps(document).encode())}
    )
    page = response.content.decode()
    assert "Nothing was imported" in page
    for expected in [
        "name: is required",
        "purpose: &#x27;fun&#x27; is not one of",
        "sections[0].weight: must be at least 1",
        "sections[0].criteria[0].kind: &#x27;maybe&#x27; is not one of",
        "sections[0].criteria[1].scale_max: The top of the scale must be above its bottom.",
    ]:
        assert expected in page
    assert not Scorecard.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("f.json", b"{not json", "The JSON cannot be read"),
        ("f.json", b'{"format": "other"}', "format: expected"),
        (
            "f.json",
            b'{"format": "qalibrate.scorecard", "format_version": 9}',
            "version 9 is not supported",
        ),
        ("f.csv", b"a,b", "Upload a .json or .xlsx file."),
        ("f.xlsx", b"PK\x03\x04 this is no workbook", "This is not an Excel workbook"),
    ],
)
def test_unreadable_files_get_a_clear_message(client, users, name, content, message):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(reverse("scorecard_import"), {"file": upload(name, content)})
    assert message in response.content.decode()
    assert not Scorecard.objects.exists()


def filled_template(client) -> Workbook:
    response = client.get(reverse("scorecard_xlsx_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def as_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_template_round_trip(client, users):
    client.force_login(users[Role.QA_LEAD])
    workbook = filled_template(client)
    assert workbook.sheetnames == ["Scorecard", "Criteria", "Rules"]
    criteria = workbook["Criteria"]
    criteria.append(
        ["Resolution", None, "Understands the need", "scale", 4, 0, 5, None, "yes", "none", "", ""]
    )
    criteria.append(
        ["Closing", 1, "Offers more help", "yes_no", 1, None, None, None, "no", "none", "", ""]
    )
    response = client.post(
        reverse("scorecard_import"), {"file": upload("form.xlsx", as_bytes(workbook))}
    )
    assert response.status_code == 302
    scorecard = Scorecard.objects.get()
    document = version_to_dict(scorecard.draft)
    assert scorecard.name == "Inbound support call" and scorecard.purpose == "customer_experience"
    assert [(s["title"], s["weight"], len(s["criteria"])) for s in document["sections"]] == [
        ("Opening", 1, 1),
        ("Resolution", 2, 2),
        ("Closing", 1, 1),
    ]
    accuracy = document["sections"][1]["criteria"][0]
    assert accuracy["options"] == [
        {"label": "Correct", "points": 3},
        {"label": "Partly correct", "points": 1},
        {"label": "Wrong", "points": 0},
    ]
    assert accuracy["critical"] == "section"
    scale = document["sections"][1]["criteria"][1]
    assert (scale["kind"], scale["points"], scale["scale_max"], scale["na_allowed"]) == (
        "scale",
        4,
        5,
        True,
    )


def test_xlsx_errors_name_sheet_row_and_column(client, users):
    client.force_login(users[Role.QA_LEAD])
    workbook = filled_template(client)
    criteria = workbook["Criteria"]
    criteria.append(
        ["Closing", 1, "Offers more help", "yesno", 1, None, None, None, "no", "none", "", ""]
    )
    criteria.append(
        ["Closing", 1, "Summary", "yes_no", "two", None, None, None, "no", "none", "", ""]
    )
    criteria.append(
        ["Closing", 1, "Tone", "options", None, None, None, "Warm; Cold=0", "no", "none", "", ""]
    )
    criteria.append(
        ["Closing", 1, "Politeness", "yes_no", 1, None, None, None, "perhaps", "none", "", ""]
    )
    response = client.post(
        reverse("scorecard_import"), {"file": upload("form.xlsx", as_bytes(workbook))}
    )
    page = response.content.decode()
    assert "Sheet &#x27;Criteria&#x27;, row 5: Points: &#x27;two&#x27; is not a number" in page
    assert "Sheet &#x27;Criteria&#x27;, row 6: Options: write label=points" in page
    assert "Sheet &#x27;Criteria&#x27;, row 7: N/A allowed: write yes or no" in page
    assert "Sheet &#x27;Criteria&#x27;, row 4, Kind: &#x27;yesno&#x27; is not one of" in page
    assert not Scorecard.objects.exists()


def test_xlsx_without_the_criteria_sheet(client, users):
    client.force_login(users[Role.QA_LEAD])
    workbook = Workbook()
    workbook.active.title = "Scorecard"
    response = client.post(
        reverse("scorecard_import"), {"file": upload("f.xlsx", as_bytes(workbook))}
    )
    assert "Sheet &#x27;Criteria&#x27; is missing." in response.content.decode()
