"""Who may read the audit trail: administrators only. Nobody may change it (models.py)."""


def can_see_audit(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_admin)
