import pytest
from django.urls import reverse

from qalibrate.accounts.models import Role
from qalibrate.scorecards import services
from qalibrate.scorecards.models import Criterion, ReviewComment, Scorecard
from tests.factories import build_scorecard
from tests.helpers import criteria

BUILDERS = [Role.ADMIN, Role.QA_LEAD]
OTHERS = [Role.EVALUATOR, Role.AGENT]


@pytest.fixture
def published(users):
    return build_scorecard(users[Role.QA_LEAD], publish=True, name="Published form")


@pytest.fixture
def draft(users):
    return build_scorecard(users[Role.QA_LEAD], name="Draft form")


@pytest.mark.parametrize("role", list(Role))
def test_list_shows_drafts_only_to_builders_and_reviewers(client, users, published, draft, role):
    client.force_login(users[role])
    page = client.get(reverse("scorecard_list")).content.decode()
    assert "Published form" in page
    assert ("Draft form" in page) == (role in BUILDERS)
    draft.draft.reviewers.add(users[role])
    assert "Draft form" in client.get(reverse("scorecard_list")).content.decode()


@pytest.mark.parametrize("role", OTHERS)
def test_only_builders_change_scorecards(client, users, draft, role):
    client.force_login(users[role])
    version = draft.draft
    section = version.sections.first()
    criterion = section.criteria.first()
    draft.draft.reviewers.add(users[role])  # even a reviewer only comments
    for method, url in [
        ("get", reverse("scorecard_create")),
        ("get", reverse("scorecard_import")),
        ("post", reverse("scorecard_draft_start", args=[draft.pk])),
        ("post", reverse("section_add", args=[version.pk])),
        ("get", reverse("section_edit", args=[section.pk])),
        ("post", reverse("section_delete", args=[section.pk])),
        ("post", reverse("section_move", args=[section.pk, "down"])),
        ("get", reverse("criterion_add", args=[section.pk])),
        ("post", reverse("criterion_edit", args=[criterion.pk])),
        ("post", reverse("criterion_delete", args=[criterion.pk])),
        ("post", reverse("criterion_move", args=[criterion.pk, "down"])),
        ("get", reverse("scorecard_reviewers", args=[version.pk])),
        ("post", reverse("scorecard_publish", args=[version.pk])),
    ]:
        assert getattr(client, method)(url, {"title": "x"}).status_code == 403, url
    assert Criterion.objects.filter(pk=criterion.pk).exists()
    # The builder page itself sends a non-builder to the read-only preview.
    response = client.get(reverse("scorecard_builder", args=[version.pk]))
    assert response.status_code == 302 and response.url.endswith("/preview/")


@pytest.mark.parametrize("role", OTHERS)
def test_an_unshared_draft_is_invisible(client, users, draft, role):
    client.force_login(users[role])
    version = draft.draft
    for name in ["scorecard_preview", "scorecard_review", "scorecard_export"]:
        assert client.get(reverse(name, args=[version.pk])).status_code == 403
    assert client.get(reverse("scorecard_detail", args=[draft.pk])).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_everyone_reads_published_forms(client, users, published, role):
    client.force_login(users[role])
    version = published.current_version
    page = client.get(reverse("scorecard_preview", args=[version.pk])).content.decode()
    assert "Verifies identity" in page and 'name="c' in page
    assert client.get(reverse("scorecard_export", args=[version.pk])).status_code == 200


def test_building_a_form_step_by_step(client, users, team):
    client.force_login(users[Role.QA_LEAD])
    response = client.post(
        reverse("scorecard_create"),
        {
            "name": "Chat and e-mail",
            "purpose": "customer_experience",
            "language": "en",
            "team": team.pk,
        },
    )
    scorecard = Scorecard.objects.get(name="Chat and e-mail")
    assert scorecard.team == team
    version = scorecard.draft
    assert response.url == reverse("scorecard_builder", args=[version.pk])

    response = client.post(
        reverse("section_add", args=[version.pk]),
        {"title": "Tone", "weight": 2},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Tone" in response.content.decode()
    section = version.sections.get()

    url = reverse("criterion_add", args=[section.pk])
    empathy_form = {
        "text": "Empathy",
        "kind": "options",
        "points": 1,
        "scale_min": 0,
        "scale_max": 5,
        "critical": "none",
    }
    bad = client.post(url, empathy_form | {"options_text": "Yes = lots"})
    assert bad.status_code == 200 and "Line 1: write label = points" in bad.content.decode()
    assert not section.criteria.exists()
    client.post(url, empathy_form | {"options_text": "Warm = 2\nNeutral = 1\nCold = 0"})
    client.post(
        url,
        {
            "text": "Spelling",
            "kind": "yes_no",
            "points": 1,
            "scale_min": 0,
            "scale_max": 5,
            "critical": "none",
            "na_allowed": "on",
        },
    )
    empathy, spelling = section.criteria.all()
    assert empathy.options == [
        {"label": "Warm", "points": 2},
        {"label": "Neutral", "points": 1},
        {"label": "Cold", "points": 0},
    ]
    assert spelling.na_allowed

    response = client.post(
        reverse("criterion_move", args=[spelling.pk, "up"]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.index("Spelling") < html.index("Empathy")
    assert [c.text for c in section.criteria.all()] == ["Spelling", "Empathy"]

    client.post(
        reverse("criterion_edit", args=[empathy.pk]),
        {
            "text": "Shows empathy",
            "kind": "options",
            "points": 1,
            "scale_min": 0,
            "scale_max": 5,
            "critical": "section",
            "options_text": "Warm = 3\nCold = 0",
        },
    )
    empathy.refresh_from_db()
    assert (empathy.text, empathy.critical, len(empathy.options)) == ("Shows empathy", "section", 2)

    client.post(reverse("criterion_delete", args=[spelling.pk]), HTTP_HX_REQUEST="true")
    assert list(section.criteria.all()) == [empathy]
    assert client.get(reverse("scorecard_builder", args=[version.pk])).status_code == 200


def test_preview_scores_live(client, users, published):
    client.force_login(users[Role.EVALUATOR])
    version = published.current_version
    greets = criteria(version)["Greets with own name"]
    verifies = criteria(version)["Verifies identity"]
    url = reverse("scorecard_preview_score", args=[version.pk])
    html = client.post(url, {f"c{greets.pk}": "yes", f"c{verifies.pk}": "yes"}).content.decode()
    assert "100.0" in html
    html = client.post(url, {f"c{greets.pk}": "yes", f"c{verifies.pk}": "no"}).content.decode()
    assert "the whole evaluation scores 0" in html
    html = client.post(url, {}).content.decode()
    assert "No score yet" in html
    html = client.post(url, {f"c{greets.pk}": "perhaps"}).content.decode()
    assert "not possible" in html


def test_review_round(client, users, draft):
    version = draft.draft
    criterion = criteria(version)["Verifies identity"]
    agent, evaluator, lead = users[Role.AGENT], users[Role.EVALUATOR], users[Role.QA_LEAD]
    client.force_login(lead)
    client.post(reverse("scorecard_reviewers", args=[version.pk]), {"reviewers": [agent.pk]})
    assert list(version.reviewers.all()) == [agent]

    client.force_login(agent)
    response = client.post(
        reverse("comment_add", args=[criterion.pk]), {"text": "Which checks count?"}
    )
    assert response.status_code == 302
    comment = ReviewComment.objects.get()
    assert client.post(reverse("comment_resolve", args=[comment.pk])).status_code == 403

    client.force_login(evaluator)  # not shared with
    assert (
        client.post(reverse("comment_add", args=[criterion.pk]), {"text": "x"}).status_code == 403
    )

    client.force_login(lead)
    page = client.get(reverse("scorecard_review", args=[version.pk])).content.decode()
    assert "Which checks count?" in page and "1 open comment" in page
    response = client.get(reverse("scorecard_publish", args=[version.pk]))
    assert "1 review comment is still open." in response.content.decode()
    response = client.post(reverse("scorecard_publish", args=[version.pk]), {"change_note": ""})
    assert response.status_code == 200 and draft.versions.get().is_draft
    response = client.post(
        reverse("scorecard_publish", args=[version.pk]), {"confirm_open_comments": "on"}
    )
    assert response.status_code == 302 and not draft.versions.get().is_draft


def test_versions_and_what_changed(client, users, published):
    lead = users[Role.QA_LEAD]
    client.force_login(lead)
    response = client.post(reverse("scorecard_draft_start", args=[published.pk]))
    v2 = published.draft
    assert response.url == reverse("scorecard_builder", args=[v2.pk])
    greets = criteria(v2)["Greets with own name"]
    greets.guideline = "Name within the first 10 seconds."
    greets.save()
    criteria(v2)["Notes"].delete()
    services.criterion_add(section=greets.section, text="Offers more help", kind="yes_no")

    response = client.post(reverse("scorecard_publish", args=[v2.pk]), {"change_note": ""})
    assert "Say what changed and why." in response.content.decode()
    client.post(reverse("scorecard_publish", args=[v2.pk]), {"change_note": "Greeting made clear"})

    page = client.get(reverse("scorecard_diff", args=[published.pk])).content.decode()
    assert "Changes from v1 to v2" in page and "Greeting made clear" in page
    assert "Name within the first 10 seconds." in page
    assert "Offers more help" in page and "<del>Notes</del>" in page
    # The agent reads the history of a published form too.
    client.force_login(users[Role.AGENT])
    assert client.get(reverse("scorecard_diff", args=[published.pk])).status_code == 200
