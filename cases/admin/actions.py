"""What the admin's pages share: actions that run a service per object and report each
outcome, soft deletion, and read-only pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..refusals import REFUSALS, messages_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


def refusal_text(obj, error: Exception) -> str:
    """A service's refusal about one object, as one admin message."""
    return f"{obj}: {' '.join(messages_of(error))}"


class ReasonActionForm(helpers.ActionForm):
    """The action bar with a reason box, for the actions that must say why."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=5000,
        widget=forms.TextInput(attrs={"size": 50}),
    )


def _action_reason(request) -> str:
    """The reason typed next to the action (the change form's action bar has a prefix)."""
    for name in ("reason", f"{ActionLocation.CHANGE_FORM.value}-reason"):
        for value in request.POST.getlist(name):
            if value.strip():
                return value.strip()
    return ""


class ServiceActionsMixin(admin.ModelAdmin):
    """Run a service once per selected object and report each outcome."""

    def has_moderate_permission(self, request) -> bool:
        return permissions.is_moderator(request.user)

    def run_each(self, request, queryset, act, success: StrOrPromise) -> int:
        """Call `act(obj)` for each object; `success` is a message with %(obj)s. Returns the
        number that succeeded. Each call is its own transaction (the services are atomic), so
        one refusal does not undo the others."""
        done = 0
        for obj in queryset:
            try:
                act(obj)
            except REFUSALS as error:
                self.message_user(request, refusal_text(obj, error), messages.ERROR)
            else:
                done += 1
                self.message_user(request, success % {"obj": obj}, messages.SUCCESS)
        return done

    def run_each_with_reason(
        self, request, queryset, act, success: StrOrPromise, *, required: bool = True
    ) -> int:
        """Like `run_each`, calling `act(obj, reason)` with the reason typed next to the action.
        When the reason is required and missing, nothing is run and the user is told why."""
        reason = _action_reason(request)
        if required and not reason:
            self.message_user(
                request,
                gettext(
                    "Nothing was changed: write the reason in the Reason box next to the action, "
                    "then run it again."
                ),
                messages.ERROR,
            )
            return 0
        return self.run_each(request, queryset, lambda obj: act(obj, reason), success)


def service_action(
    service: Callable[..., object],
    *,
    target: str,
    description: StrOrPromise,
    success: StrOrPromise,
    description_plural: StrOrPromise | None = None,
    reason: str | None = None,
    reason_required: bool = True,
    permission: str = "moderate",
    related: tuple[str, ...] = (),
):
    """An action of a ServiceActionsMixin admin that calls `service(actor=…, <target>=obj)` for
    each selected object; with `reason`, the text of the reason box goes in as that keyword.
    `success` is the message for each object done, with %(obj)s."""

    def act_on_selected(modeladmin, request, queryset):
        if related:
            queryset = queryset.select_related(*related)

        def act(obj, text: str = "") -> None:
            arguments: dict[str, object] = {"actor": request.user, target: obj}
            if reason:
                arguments[reason] = text
            service(**arguments)

        if reason:
            modeladmin.run_each_with_reason(
                request, queryset, act, success, required=reason_required
            )
        else:
            modeladmin.run_each(request, queryset, act, success)

    return admin.action(
        permissions=[permission],
        description=description,
        description_plural=description_plural,
        location=BOTH_LOCATIONS,
    )(act_on_selected)


class SoftDeleteMixin(ServiceActionsMixin):
    """Deleting in the admin hides the row (sets deleted_at) and keeps it and its history.

    Subclasses implement `soft_delete(request, obj, reason)`, raising one of REFUSALS when the
    object may not be deleted. The confirmation pages list only the objects themselves: nothing
    related is deleted with them.
    """

    delete_confirmation_template = "admin/cases/soft_delete_confirmation.html"
    delete_selected_confirmation_template = "admin/cases/soft_delete_selected_confirmation.html"

    def soft_delete(self, request, obj, reason: str) -> None:
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        return (
            [str(obj) for obj in objs],
            {self.opts.verbose_name_plural: len(objs)},
            set(),
            [],
        )

    def _soft_delete_one(self, request, obj, *, report_success: bool) -> bool:
        try:
            self.soft_delete(request, obj, _action_reason(request))
        except REFUSALS as error:
            request._soft_delete_refused = True
            self.message_user(request, refusal_text(obj, error), messages.ERROR)
            return False
        if report_success:
            self.message_user(
                request,
                gettext("“%(obj)s” was deleted (it is kept in the database).") % {"obj": obj},
                messages.SUCCESS,
            )
        return True

    def delete_model(self, request, obj):
        self._soft_delete_one(request, obj, report_success=False)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            if self._soft_delete_one(request, obj, report_success=True):
                self.log_change(request, obj, gettext("Deleted (kept in the database)."))

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "_soft_delete_refused", False):
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj_id])
            )
        return super().response_delete(request, obj_display, obj_id)

    @admin.action(
        permissions=["delete"],
        description=_("Delete selected %(verbose_name_plural)s (kept in the database)"),
    )
    def delete_selected(self, request, queryset):
        # Replaces Django's action of the same name: its confirmation page, our deletion.
        if request.POST.get("post"):
            self.delete_queryset(request, queryset)
            return None
        return django_delete_selected(self, request, queryset)


class ReadOnly:
    """Shown, never written through the admin: for model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass
