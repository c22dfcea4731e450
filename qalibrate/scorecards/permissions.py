"""Who may build, read and review scorecards (docs/architecture.md). Which scorecards a user
sees in lists is Scorecard.objects.visible_to(user), on the same rules."""

from qalibrate.accounts.models import User
from qalibrate.accounts.permissions import is_qa_staff
from qalibrate.scorecards.models import ScorecardVersion


def can_build_scorecards(user: User) -> bool:
    """QA staff create scorecards, edit drafts, share them for review and publish them."""
    return is_qa_staff(user)


def can_view_version(user: User, version: ScorecardVersion) -> bool:
    """Published forms are open to everyone signed in, agents included: they are measured on
    them. Drafts are for the builders and the reviewers the draft was shared with."""
    if not user.is_authenticated:
        return False
    if not version.is_draft or can_build_scorecards(user):
        return True
    return version.reviewers.filter(pk=user.pk).exists()


def can_comment(user: User, version: ScorecardVersion) -> bool:
    return version.is_draft and can_view_version(user, version)


def can_edit(user: User, version: ScorecardVersion) -> bool:
    return version.is_draft and can_build_scorecards(user)
