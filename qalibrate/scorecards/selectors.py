"""Reads for the scorecard pages, each a fixed number of queries."""

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from qalibrate.accounts.models import User
from qalibrate.scorecards.models import (
    CRITERION_CONTENT_FIELDS,
    Criterion,
    ReviewComment,
    Scorecard,
    ScorecardVersion,
    Section,
    VersionStatus,
)


def scorecards_for(*, user: User) -> QuerySet[Scorecard]:
    """Scorecards the user may open (Scorecard.objects.visible_to), with what the list shows."""
    draft_open_comments = Count(
        "versions__sections__criteria__comments",
        filter=Q(
            versions__status=VersionStatus.DRAFT,
            versions__sections__criteria__comments__resolved_at__isnull=True,
        ),
    )
    return Scorecard.objects.visible_to(user).annotate(
        latest_published=Max(
            "versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED)
        ),
        has_draft=Exists(
            ScorecardVersion.objects.filter(scorecard=OuterRef("pk"), status=VersionStatus.DRAFT)
        ),
        open_comments=draft_open_comments,
    )


def version_content(version: ScorecardVersion, *, with_comments: bool = False) -> list[Section]:
    """Sections with their criteria (and comments) in order: two or three queries."""
    criteria = Criterion.objects.order_by("position", "pk")
    if with_comments:
        comments = ReviewComment.objects.select_related("author", "resolved_by")
        criteria = criteria.prefetch_related(Prefetch("comments", queryset=comments))
    return list(version.sections.prefetch_related(Prefetch("criteria", queryset=criteria)))


DIFF_SECTION_FIELDS = ["title", "description", "weight"]
DIFF_CRITERION_FIELDS = CRITERION_CONTENT_FIELDS


def _shown(item, name: str) -> str:
    """A field's value as people read it: labels for choices, yes/no, options as label = points."""
    value = getattr(item, name)
    field = item._meta.get_field(name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if name == "options":
        return " · ".join(f"{option['label']} = {option['points']}" for option in value)
    return str(value)


def field_changes(before, after, fields) -> list[dict]:
    """The fields that differ between two rows of the same key (two versions of a section or a
    criterion): each with its name and both values as people read them."""
    return [
        {
            "field": before._meta.get_field(name).verbose_name,
            "name": name,
            "old": _shown(before, name),
            "new": _shown(after, name),
        }
        for name in fields
        if getattr(before, name) != getattr(after, name)
    ]


def version_diff(old: ScorecardVersion, new: ScorecardVersion) -> dict:
    """What changed between two versions, matched by the stable keys copied into each draft."""

    def index(version):
        sections = version_content(version)
        by_key = {s.key: s for s in sections}
        criteria = {c.key: (s, c) for s in sections for c in s.criteria.all()}
        return by_key, criteria

    old_sections, old_criteria = index(old)
    new_sections, new_criteria = index(new)

    sections = {
        "added": [s for k, s in new_sections.items() if k not in old_sections],
        "removed": [s for k, s in old_sections.items() if k not in new_sections],
        "changed": [
            {"section": s, "changes": field_changes(old_sections[k], s, DIFF_SECTION_FIELDS)}
            for k, s in new_sections.items()
            if k in old_sections and field_changes(old_sections[k], s, DIFF_SECTION_FIELDS)
        ],
    }
    criteria_changed = []
    for key, (section, criterion) in new_criteria.items():
        if key not in old_criteria:
            continue
        old_section, old_criterion = old_criteria[key]
        found = field_changes(old_criterion, criterion, DIFF_CRITERION_FIELDS)
        if old_section.key != section.key:
            found.append(
                {
                    "field": Criterion._meta.get_field("section").verbose_name,
                    "old": old_section.title,
                    "new": section.title,
                }
            )
        if found:
            criteria_changed.append({"criterion": criterion, "section": section, "changes": found})
    criteria = {
        "added": [(s, c) for k, (s, c) in new_criteria.items() if k not in old_criteria],
        "removed": [(s, c) for k, (s, c) in old_criteria.items() if k not in new_criteria],
        "changed": criteria_changed,
    }
    has_changes = any(sections.values()) or any(criteria.values())
    return {"sections": sections, "criteria": criteria, "has_changes": has_changes}


def latest_texts(keys) -> dict[str, str]:
    """Criterion key → its text in the latest published version that has it (one query)."""
    texts: dict[str, str] = {}
    found = (
        Criterion.objects.filter(key__in=keys, section__version__status=VersionStatus.PUBLISHED)
        .order_by("key", "-section__version__number")
        .values_list("key", "text")
    )
    for key, text in found:
        texts.setdefault(key, text)
    return texts
