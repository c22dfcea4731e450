from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from qalibrate.accounts.models import Role, Team, User
from qalibrate.accounts.permissions import visible_teams


def team_overview(*, user: User, days: int = 30) -> QuerySet[Team]:
    """The user's teams with their agent count and recent contacts by channel, in one query."""
    since = timezone.now() - timedelta(days=days)
    recent = Q(contacts__occurred_at__gte=since)
    return (
        visible_teams(user)
        .annotate(
            agent_count=Count("agents", filter=Q(agents__is_active=True), distinct=True),
            recent_contacts=Count("contacts", filter=recent, distinct=True),
            recent_calls=Count(
                "contacts", filter=recent & Q(contacts__channel="call"), distinct=True
            ),
            recent_chats=Count(
                "contacts", filter=recent & Q(contacts__channel="chat"), distinct=True
            ),
            recent_emails=Count(
                "contacts", filter=recent & Q(contacts__channel="email"), distinct=True
            ),
            recent_tickets=Count(
                "contacts", filter=recent & Q(contacts__channel="ticket"), distinct=True
            ),
        )
        .order_by("name")
    )


def users_by_role() -> list[dict]:
    """Each role with the number of active users in it, in the roles' own order."""
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return [{"role": role.label, "count": counts.get(role.value, 0)} for role in Role]
