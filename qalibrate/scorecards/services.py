"""Writes to scorecards. Published versions are immutable: every change goes to a draft."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qalibrate.accounts.models import Team, User
from qalibrate.scorecards.models import (
    Criterion,
    CriterionKind,
    ReviewComment,
    Scorecard,
    ScorecardVersion,
    Section,
    VersionStatus,
)


def ensure_draft(version: ScorecardVersion) -> None:
    if not version.is_draft:
        raise PermissionDenied(_("A published version cannot be changed; start a new draft."))


@transaction.atomic
@transaction.atomic
def scorecard_create(
    *,
    author: User,
    name: str,
    purpose: str,
    language: str,
    description: str = "",
    team: Team | None = None,
    shared_with: Iterable[Team] = (),
) -> Scorecard:
    scorecard = Scorecard.objects.create(
        name=name,
        purpose=purpose,
        language=language,
        description=description,
        team=team,
        created_by=author,
    )
    scorecard.shared_with.set(shared_with)
    ScorecardVersion.objects.create(scorecard=scorecard, number=1, created_by=author)
    return scorecard


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def section_add(
    *, version: ScorecardVersion, title: str, weight: int = 1, description: str = ""
) -> Section:
    ensure_draft(version)
    return Section.objects.create(
        version=version,
        title=title,
        weight=weight,
        description=description,
        position=_next_position(version.sections),
    )


def criterion_add(*, section: Section, **fields) -> Criterion:
    ensure_draft(section.version)
    criterion = Criterion(section=section, position=_next_position(section.criteria), **fields)
    criterion_validate(criterion)
    criterion.save()
    return criterion


def criterion_validate(criterion: Criterion) -> None:
    """Rules a criterion must meet to be scored sensibly; errors name the field."""
    errors = {}
    if criterion.kind == CriterionKind.SCALE and criterion.scale_max <= criterion.scale_min:
        errors["scale_max"] = _("The top of the scale must be above its bottom.")
    if criterion.kind == CriterionKind.OPTIONS:
        labels = [option.get("label", "").strip() for option in criterion.options]
        if len(labels) < 2:
            errors["options"] = _("Give at least two options.")
        elif len(set(labels)) != len(labels) or not all(labels):
            errors["options"] = _("Each option needs its own label.")
        elif max(option["points"] for option in criterion.options) <= 0:
            errors["options"] = _("At least one option must be worth points.")
    if criterion.kind == CriterionKind.TEXT and criterion.critical != "none":
        errors["critical"] = _("A free-text criterion is not scored, so it cannot be critical.")
    if errors:
        raise ValidationError(errors)


def item_move(*, item: Section | Criterion, direction: int) -> None:
    """Swap a section or criterion with its neighbour (direction -1: up, +1: down)."""
    version = item.version if isinstance(item, Section) else item.section.version
    ensure_draft(version)
    siblings = list(
        item.version.sections.all() if isinstance(item, Section) else item.section.criteria.all()
    )
    index = siblings.index(item)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position:
                sibling.position = position
                sibling.save(update_fields=["position"])


def open_comment_count(version: ScorecardVersion) -> int:
    return ReviewComment.objects.filter(
        criterion__section__version=version, resolved_at__isnull=True
    ).count()


@transaction.atomic
def version_publish(
    *, version: ScorecardVersion, user: User, change_note: str = ""
) -> ScorecardVersion:
    version = ScorecardVersion.objects.select_for_update().get(pk=version.pk)
    ensure_draft(version)
    if version.number > 1 and not change_note.strip():
        raise ValidationError({"change_note": _("Say what changed and why.")})
    scored = Criterion.objects.filter(section__version=version).exclude(kind=CriterionKind.TEXT)
    if not scored.exists():
        raise ValidationError(_("Add at least one scored criterion before publishing."))
    version.status = VersionStatus.PUBLISHED
    version.change_note = change_note.strip()
    version.published_by = user
    version.published_at = timezone.now()
    version.save()
    return version


@transaction.atomic
def draft_start(*, scorecard: Scorecard, user: User) -> ScorecardVersion:
    """A new draft copied from the latest version; the existing draft if there is one."""
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if existing := scorecard.draft:
        return existing
    source = scorecard.versions.order_by("-number").first()
    draft = ScorecardVersion.objects.create(
        scorecard=scorecard, number=source.number + 1, created_by=user
    )
    draft.reviewers.set(source.reviewers.all())
    version_copy_content(source=source, target=draft)
    return draft


def version_copy_content(*, source: ScorecardVersion, target: ScorecardVersion) -> None:
    """Copy sections and criteria, keeping their keys so versions can be compared."""
    for section in source.sections.prefetch_related("criteria"):
        criteria = list(section.criteria.all())
        section.pk = None
        section.version = target
        section.save()
        for criterion in criteria:
            criterion.pk = None
            criterion.section = section
        Criterion.objects.bulk_create(criteria)


def comment_add(*, criterion: Criterion, author: User, text: str) -> ReviewComment:
    ensure_draft(criterion.section.version)
    return ReviewComment.objects.create(criterion=criterion, author=author, text=text.strip())


def comment_resolve(*, comment: ReviewComment, user: User) -> ReviewComment:
    if comment.resolved_at is None:
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment
