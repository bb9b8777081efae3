"""Reuse records and spread activities."""

import datetime

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Adoption,
    CaseEvent,
    SpreadActivity,
)

# Case.search_extra copies words from other tables (tags, owner and partner names); rows the
# admin writes directly must refresh it as the services do.
from .actions import SoftDeleteMixin


def _plain(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value if value is None or isinstance(value, (bool, int)) else str(value)


class AdoptionForm(forms.ModelForm):
    # No Meta: the admin builds the form from its fieldsets (modelform_factory).

    def clean(self):
        data = super().clean()
        # The rules of services.adoption_record; the database would refuse some of these only
        # after the form had been accepted (source_organisation is filled in on save).
        case = data.get("case") if "case" in self.fields else self.instance.case
        organisation = (
            data.get("organisation")
            if "organisation" in self.fields
            else self.instance.organisation
        )
        if case is None or organisation is None:
            return data
        if self.instance.pk is None and not case.is_published:
            self.add_error("case", _("Only published cases can be recorded as reused."))
        if organisation.pk == case.organisation_id:
            self.add_error("organisation", _("An organisation cannot reuse its own case."))
        derived = data.get("derived_case")
        if derived is not None:
            if derived.pk == case.pk:
                self.add_error("derived_case", _("A case cannot be derived from itself."))
            elif derived.organisation_id != organisation.pk:
                self.add_error(
                    "derived_case",
                    _("The derived case must be a case of the adopting organisation."),
                )
        return data


@admin.register(Adoption)
class AdoptionAdmin(SoftDeleteMixin, admin.ModelAdmin):
    form = AdoptionForm
    list_display = ("case", "organisation", "mode", "channel", "adopted_on", "status", "confirmed")
    list_filter = ("mode", "channel", "status", "confirmed")
    search_fields = ("case__title", "organisation__name", "note")
    autocomplete_fields = ("case", "organisation", "derived_case")
    date_hierarchy = "adopted_on"
    list_select_related = ("case", "organisation")
    actions = ["delete_selected"]
    readonly_fields = (
        "source_organisation",
        "recorded_by",
        "confirmed",
        "confirmed_at",
        "confirmed_by",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # Who reused what is the identity of the record; change other fields, or withdraw it.
        return ("case", "organisation", *fields) if obj is not None else fields

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if not change:
            obj.recorded_by = request.user
            obj.created_at = obj.updated_at = now
        elif form.has_changed():
            obj.updated_at = now
        super().save_model(request, obj, form, change)
        if not change:
            kind, changes = CaseEvent.Kind.ADOPTION_RECORDED, None
        elif form.changed_data:
            kind = CaseEvent.Kind.ADOPTION_CHANGED
            changes = {
                field: [_plain(form.initial.get(field)), _plain(form.cleaned_data.get(field))]
                for field in form.changed_data
            }
        else:
            return
        CaseEvent.objects.create(
            case=obj.case,
            kind=kind,
            actor=request.user,
            reason=str(obj.organisation),
            changes=changes,
        )

    def soft_delete(self, request, obj, reason):
        services.adoption_withdraw(actor=request.user, adoption=obj, reason=reason)


@admin.register(SpreadActivity)
class SpreadActivityAdmin(admin.ModelAdmin):
    list_display = ("organisation", "case", "kind", "channel", "occurred_on")
    list_filter = ("kind", "channel")
    search_fields = ("organisation__name", "case__title", "description")
    autocomplete_fields = ("organisation", "case")
    date_hierarchy = "occurred_on"
    list_select_related = ("organisation", "case")
    readonly_fields = ("recorded_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
