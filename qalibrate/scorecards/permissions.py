"""Who may build, read and review scorecards (docs/architecture.md). Which scorecards a user
sees in lists is Scorecard.objects.visible_to(user), on the same rules."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff
from qalibrate.scorecards.models import Scorecard, ScorecardVersion


def can_build_scorecards(user: User) -> bool:
    """QA staff create scorecards, edit drafts, share them for review and publish them."""
    return is_qa_staff(user)


def can_view_version(user: User, version: ScorecardVersion) -> bool:
    """Published forms are open to everyone of the teams that use them, agents included: they
    are measured on them; and to whoever takes part in a session scored on them. Drafts are for
    the builders of those teams and the reviewers the draft was shared with."""
    if not user.is_authenticated:
        return False
    if version.is_draft and version.reviewers.filter(pk=user.pk).exists():
        return True
    if version.is_draft and not can_build_scorecards(user):
        return False
    if Scorecard.objects.visible_to(user).filter(pk=version.scorecard_id).exists():
        return True
    return not version.is_draft and version.sessions.filter(participants__user=user).exists()


def can_comment(user: User, version: ScorecardVersion) -> bool:
    return version.is_draft and can_view_version(user, version)


def can_edit(user: User, version: ScorecardVersion) -> bool:
    """Drafts of the scorecards of the builder's teams (and the organisation's), not of those
    only shared with them."""
    return (
        version.is_draft
        and can_build_scorecards(user)
        and Scorecard.objects.editable_by(user).filter(pk=version.scorecard_id).exists()
    )
