"""Who may erase a person or export their data: administrators, never for themselves."""


def can_handle_personal_data(user, person=None) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_admin):
        return False
    return person is None or person.pk != user.pk
