"""Which organisation a login through an identity provider speaks for (operators' mappings).

A mapping is configuration, not a change of anyone's membership: it takes effect on a person's
first login (services.identity_first_login), so the admin edits it directly.
"""

from django.contrib import admin

from ..models import IdentitySource


@admin.register(IdentitySource)
class IdentitySourceAdmin(admin.ModelAdmin):
    list_display = ("provider_id", "kind", "value", "organisation", "role", "status")
    list_filter = ("provider_id", "kind", "status")
    search_fields = ("value", "provider_id", "organisation__name")
    autocomplete_fields = ("organisation",)
    fields = ("provider_id", "kind", "value", "organisation", "role", "status")
