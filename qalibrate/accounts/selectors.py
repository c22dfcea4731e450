from django.db.models import Count

from qalibrate.accounts.models import Role, User


def users_by_role() -> list[dict]:
    """Each role with the number of active users in it, in the roles' own order."""
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return [{"role": role.label, "count": counts.get(role.value, 0)} for role in Role]
