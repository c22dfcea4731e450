import pytest

from qalibrate.accounts.models import Role, User


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_django_admin_flags_follow_the_role(role):
    user = User.objects.create_user("someone", role=role)
    assert user.is_staff == user.is_superuser == (role == Role.ADMIN)
    user.role = Role.ADMIN if role != Role.ADMIN else Role.EVALUATOR
    user.save()
    assert user.is_staff == user.is_superuser == (user.role == Role.ADMIN)


@pytest.mark.django_db
def test_createsuperuser_makes_an_admin():
    assert User.objects.create_superuser("root", "root@example.com", "x").role == Role.ADMIN


def test_agent_may_have_no_login(db, team):
    from tests.factories import AgentFactory

    assert AgentFactory(team=team).user is None
