"""Reuse records and spread activities."""

from django.contrib import admin

from .. import services
from ..models import (
    Adoption,
    SpreadActivity,
)
from .actions import ReadOnlyAdmin, SoftDeleteMixin


@admin.register(Adoption)
class AdoptionAdmin(SoftDeleteMixin, admin.ModelAdmin):
    """Reuse records, read and withdrawn here; recorded and changed on the site by the adopting
    organisation's members (services.adoption_record and adoption_update), whose rules and
    history the admin would otherwise bypass."""

    list_display = ("case", "organisation", "mode", "channel", "adopted_on", "status", "confirmed")
    list_filter = ("mode", "channel", "status", "confirmed")
    search_fields = ("case__title", "organisation__name", "note")
    date_hierarchy = "adopted_on"
    list_select_related = ("case", "organisation")
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("cases.view_adoption") or request.user.has_perm(
            "cases.change_adoption"
        )

    def soft_delete(self, request, obj, reason):
        services.adoption_withdraw(actor=request.user, adoption=obj, reason=reason)


@admin.register(SpreadActivity)
class SpreadActivityAdmin(ReadOnlyAdmin):
    """Recorded on the site by the organisation's members (services.spread_activity_record)."""

    list_display = ("organisation", "case", "kind", "channel", "occurred_on")
    list_filter = ("kind", "channel")
    search_fields = ("organisation__name", "case__title", "description")
    date_hierarchy = "occurred_on"
    list_select_related = ("organisation", "case")
