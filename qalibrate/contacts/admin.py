from django.contrib import admin

from qalibrate.contacts.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["external_id", "channel", "agent", "team", "occurred_at", "language"]
    list_filter = ["channel", "team", "language"]
    search_fields = ["external_id", "agent__full_name", "subject"]
    list_select_related = ["agent", "team"]
