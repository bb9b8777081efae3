"""Organisations."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Membership,
    Organisation,
)
from ..vocabularies import (
    OrganisationKind,
)
from .accounts import MembershipInline, save_membership_formset
from .actions import SoftDeleteMixin


class OrganisationForm(forms.ModelForm):
    # No Meta: the admin builds the form from its fieldsets (modelform_factory).

    def _post_clean(self):
        # The instance now holds what was typed: the service's own checks, on the fields.
        super()._post_clean()
        try:
            services.organisation_check(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class OrganisationMembershipInline(MembershipInline):
    fk_name = "organisation"
    fields = ("user", "role", "status", "created_at")
    autocomplete_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(SoftDeleteMixin, admin.ModelAdmin):
    form = OrganisationForm
    list_display = (
        "name",
        "kind",
        "number",
        "county",
        "region",
        "size_class",
        "centrality_class",
        "population",
    )
    list_filter = ("kind", "region", "size_class", "centrality_class")
    search_fields = ("name", "number")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("county",)
    inlines = (OrganisationMembershipInline,)
    actions = ["delete_selected"]
    fieldsets = (
        (None, {"fields": ("kind", "name", "slug", "number", "parent", "website")}),
        (
            _("Municipality statistics"),
            {
                "fields": (
                    "population",
                    "population_year",
                    "centrality_class",
                    "centrality_index",
                    "region",
                )
            },
        ),
        (_("Workplace"), {"fields": ("workplace_type", "employee_band")}),
        (_("Membership"), {"fields": ("email_domains",)}),
        (
            _("Derived on save"),
            {
                "fields": ("municipality", "county", "size_class", "created_at", "updated_at"),
                "description": _(
                    "Units take municipality, county, region, size and centrality from their "
                    "parent chain; municipalities and counties point at themselves."
                ),
            },
        ),
    )
    readonly_fields = ("municipality", "county", "size_class", "created_at", "updated_at")

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            return save_membership_formset(request, formset)
        return super().save_formset(request, form, formset, change)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "organisation" and request.GET.get("field_name") == (
            "parent"
        ):
            queryset = queryset.filter(
                kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY]
            )
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        services.organisation_save(actor=request.user, organisation=obj, changed=form.changed_data)

    def soft_delete(self, request, obj, reason):
        services.organisation_delete(actor=request.user, organisation=obj)
