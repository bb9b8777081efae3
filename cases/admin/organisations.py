"""Organisations."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Adoption,
    Case,
    Membership,
    Organisation,
)

# Case.search_extra copies words from other tables (tags, owner and partner names); rows the
# admin writes directly must refresh it as the services do.
from ..services import refresh_search_extra
from ..vocabularies import (
    OrganisationKind,
)
from .accounts import MembershipInline, save_membership_formset
from .actions import SoftDeleteMixin


class OrganisationForm(forms.ModelForm):
    # No Meta: the admin builds the form from its fieldsets (modelform_factory).

    def clean_slug(self):
        # Soft-deleted rows keep their slug and the database refuses a second one; the
        # default manager (used by model validation) cannot see them.
        slug = self.cleaned_data["slug"]
        if Organisation.all_objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another organisation (perhaps a deleted one) has this slug."))
        return slug

    def clean(self):
        data = super().clean()
        kind, number = data.get("kind"), data.get("number")
        if (
            number
            and Organisation.all_objects.filter(kind=kind, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("number", _("Another organisation (perhaps a deleted one) has it."))
        # A loop in the parent chain would send the geography derivation round for ever.
        node, seen = data.get("parent"), set()
        while node is not None and node.pk not in seen:
            if self.instance.pk and node.pk == self.instance.pk:
                self.add_error("parent", _("An organisation cannot be under itself."))
                break
            seen.add(node.pk)
            node = node.parent
        return data


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
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            owned_or_partnered = Q(organisation=obj) | Q(partners=obj)
            for case in (
                Case.all_objects.filter(owned_or_partnered)
                .distinct()
                .select_related("organisation")
            ):
                refresh_search_extra(case)
        # Children derive their geography from this row: derive it again (counties hold
        # municipalities, which hold units).
        level = list(Organisation.objects.filter(parent=obj))
        for _depth in range(3):
            following = []
            for child in level:
                child.save()
                following.extend(Organisation.objects.filter(parent=child))
            level = following

    def soft_delete(self, request, obj, reason):
        if Case.objects.filter(organisation=obj).exists():
            raise ValidationError(gettext("It owns cases; archive or move them first."))
        if Organisation.objects.filter(parent=obj).exists():
            raise ValidationError(gettext("Other organisations are under it."))
        if Adoption.objects.filter(organisation=obj).exists():
            raise ValidationError(gettext("It has recorded reuse of cases."))
        Organisation.all_objects.filter(pk=obj.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), updated_at=timezone.now()
        )
