import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qalibrate.accounts.models import Role
from qalibrate.scorecards import services
from qalibrate.scorecards.models import Criterion, ScorecardVersion
from qalibrate.scorecards.scoring import NA, score_evaluation
from tests.factories import build_scorecard
from tests.helpers import criteria


def test_published_versions_cannot_change(users):
    scorecard = build_scorecard(users[Role.QA_LEAD], publish=True)
    version = scorecard.current_version
    section = version.sections.first()
    with pytest.raises(PermissionDenied):
        services.section_add(version=version, title="Late addition")
    with pytest.raises(PermissionDenied):
        services.criterion_add(section=section, text="Late", kind="yes_no")
    with pytest.raises(PermissionDenied):
        services.item_move(item=section.criteria.last(), direction=-1)


def test_a_new_draft_copies_the_content_and_keeps_the_keys(users):
    lead = users[Role.QA_LEAD]
    scorecard = build_scorecard(lead, publish=True)
    v1 = scorecard.current_version
    draft = services.draft_start(scorecard=scorecard, user=lead)
    assert draft.number == 2 and draft.is_draft
    assert services.draft_start(scorecard=scorecard, user=lead) == draft  # one draft at a time
    old = list(Criterion.objects.filter(section__version=v1).values_list("key", "text", "options"))
    new = list(
        Criterion.objects.filter(section__version=draft).values_list("key", "text", "options")
    )
    assert old == new
    assert not set(
        Criterion.objects.filter(section__version=v1).values_list("pk", flat=True)
    ) & set(Criterion.objects.filter(section__version=draft).values_list("pk", flat=True))


def test_version_2_needs_a_change_note(users):
    lead = users[Role.QA_LEAD]
    scorecard = build_scorecard(lead, publish=True)
    draft = services.draft_start(scorecard=scorecard, user=lead)
    with pytest.raises(ValidationError) as error:
        services.version_publish(version=draft, user=lead, change_note="  ")
    assert "change_note" in error.value.message_dict
    services.version_publish(version=draft, user=lead, change_note="Clarified greeting")
    assert ScorecardVersion.objects.get(pk=draft.pk).change_note == "Clarified greeting"


def test_a_form_without_a_scored_criterion_cannot_be_published(users):
    scorecard = services.scorecard_create(
        author=users[Role.QA_LEAD], name="Empty", purpose="other", language="en"
    )
    with pytest.raises(ValidationError):
        services.version_publish(version=scorecard.draft, user=users[Role.QA_LEAD])


def test_moving_swaps_neighbours(users):
    scorecard = build_scorecard(users[Role.QA_LEAD])
    opening = scorecard.draft.sections.first()
    first, second = opening.criteria.all()
    services.item_move(item=second, direction=-1)
    assert list(opening.criteria.all()) == [second, first]
    services.item_move(item=second, direction=-1)  # already first: nothing happens
    assert list(opening.criteria.all()) == [second, first]


ZERO_A, ZERO_B, ONE_A = (
    {"label": "A", "points": 0},
    {"label": "B", "points": 0},
    {"label": "A", "points": 1},
)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "scale", "scale_min": 5, "scale_max": 5}, "scale_max"),
        ({"kind": "options", "options": [{"label": "Only", "points": 1}]}, "options"),
        ({"kind": "options", "options": [ZERO_A, ZERO_B]}, "options"),
        ({"kind": "options", "options": [ONE_A, ZERO_A]}, "options"),
        ({"kind": "text", "critical": "form"}, "critical"),
    ],
)
def test_criterion_rules(users, fields, field):
    scorecard = build_scorecard(users[Role.QA_LEAD])
    with pytest.raises(ValidationError) as error:
        services.criterion_add(section=scorecard.draft.sections.first(), text="X", **fields)
    assert field in error.value.message_dict


def test_the_database_version_scores_like_the_readme(users):
    scorecard = build_scorecard(users[Role.QA_LEAD], publish=True)
    version = scorecard.current_version
    by_text = {text: c.pk for text, c in criteria(version).items()}
    answers = {
        by_text["Greets with own name"]: "yes",
        by_text["Verifies identity"]: "yes",
        by_text["Understands the need"]: 3,
        by_text["Information is correct"]: NA,
    }
    # Opening 3/3 (weight 1); Resolution 2.4/4 (weight 2): (1 + 2 × 0.6) / 3 = 73.3
    assert score_evaluation(version.scoring_spec(), answers).score == pytest.approx(220 / 3)


def test_comments_are_counted_until_resolved(users):
    lead = users[Role.QA_LEAD]
    scorecard = build_scorecard(lead)
    criterion = Criterion.objects.filter(section__version=scorecard.draft).first()
    comment = services.comment_add(criterion=criterion, author=users[Role.AGENT], text="Unclear")
    services.comment_add(criterion=criterion, author=users[Role.EVALUATOR], text="Why 2 points?")
    assert services.open_comment_count(scorecard.draft) == 2
    services.comment_resolve(comment=comment, user=lead)
    assert services.open_comment_count(scorecard.draft) == 1
