from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from qalibrate.accounts.models import Agent, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "is_automatic",
        "is_active",
    ]
    list_filter = ["role", "is_automatic", "is_active", "teams"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (
            _("Role and teams"),
            {"fields": ["role", "teams", "all_teams", "is_automatic", "is_active"]},
        ),
        (_("Preferences"), {"fields": ["language", "time_zone"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"fields": ["username", "email", "role", "is_automatic", "password1", "password2"]},
        ),
    ]
    filter_horizontal = ["teams"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "recording_retention_days"]
    search_fields = ["name"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "employee_id", "team", "user", "is_active"]
    list_filter = ["team", "is_active"]
    search_fields = ["full_name", "employee_id"]
    list_select_related = ["team", "user"]
