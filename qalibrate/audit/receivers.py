"""What the audit trail hears by itself: sign-ins, sign-outs, and changes of a person's role or
teams from any door (the People pages, Django's admin, a command)."""

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from qalibrate.accounts.models import Team, User
from qalibrate.audit.models import AuditAction
from qalibrate.audit.services import audit_record


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.SIGN_IN, actor=user, target=user, request=request)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.SIGN_OUT, actor=user, target=user, request=request)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password; the user name tried is the fact worth keeping.
    username = str(credentials.get("username") or "")[:150]
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        actor=None,
        details={"username": username},
        request=request,
    )


@receiver(pre_save, sender=User)
def role_remember(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "role" not in update_fields):
        return
    old = User.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    instance._audit_old_role = old


@receiver(post_save, sender=User)
def role_changed(sender, instance, created, **kwargs):
    old = instance.__dict__.pop("_audit_old_role", None)
    if not created and old is not None and old != instance.role:
        audit_record(
            action=AuditAction.ROLE_CHANGED,
            target=instance,
            details={"old": old, "new": instance.role},
        )


@receiver(m2m_changed, sender=User.teams.through)
def teams_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action in ("post_add", "post_remove") and pk_set:
        others = (User if reverse else Team).objects.filter(pk__in=pk_set)
    elif action == "pre_clear":
        others = instance.members.all() if reverse else instance.teams.all()
    else:
        return
    change = "added" if action == "post_add" else "removed"
    # From the person's side the others are teams; from a team's side (team.members.add) people.
    pairs = (
        [(person, instance) for person in others] if reverse else [(instance, t) for t in others]
    )
    names: dict[User, list[str]] = {}
    for person, team in pairs:
        names.setdefault(person, []).append(team.name)
    for person, team_names in names.items():
        audit_record(
            action=AuditAction.TEAMS_CHANGED, target=person, details={change: sorted(team_names)}
        )
