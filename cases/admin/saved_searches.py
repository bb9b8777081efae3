"""Saved searches: looked at, not edited (the person manages them on "My work")."""

from django.contrib import admin

from ..models import SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("label", "user", "frequency", "active", "created_at", "last_notified_at")
    list_filter = ("frequency", "active")
    search_fields = ("label", "user__email")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "label", "query", "frequency", "active", "created_at", "last_notified_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing only; an operator may still delete a search (an abused address, say).
        return False
