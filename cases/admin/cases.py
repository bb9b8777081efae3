"""Cases, their history, proposed edits, reports and files."""

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions, services
from ..content import CONTACT_FIELDS, CaseContent, form_initial
from ..models import (
    Attachment,
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
)
from ..vocabularies import CaseStatus
from .actions import (
    ReadOnly,
    ReadOnlyAdmin,
    ReasonActionForm,
    ServiceActionsMixin,
    SoftDeleteMixin,
    service_action,
)


class AttachmentInline(admin.TabularInline):
    """Files arrive through the site's upload, which checks their type; a moderator removes one
    from its own admin page (Attachments)."""

    model = Attachment
    fields = ("kind", "file", "title", "alt_text", "content_type", "size", "pending", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CaseEventInline(ReadOnly, admin.TabularInline):
    """The history, read-only: it is never edited."""

    model = CaseEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CaseRevisionInline(ReadOnly, admin.TabularInline):
    model = CaseRevision
    fields = ("status", "created_by", "created_at", "reviewed_by", "reviewed_at", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("proposed edits")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "reviewed_by")


class CaseAdminForm(CaseContent, forms.ModelForm):
    """A case's content as cases/content.py defines it, with the admin's widgets. Saving goes
    through services.case_update, as on the site: the same limits and messages, and an edit of
    a published case waits for a moderator's approval."""

    ROWS = {
        "summary": 3,
        "problem": 8,
        "solution": 8,
        "results": 6,
        "reuse_guide": 6,
        "contact": 3,
        "source_description": 3,
        "links": 3,
    }

    class Meta:
        model = Case
        fields = ()

    def __init__(self, *args, instance: Case | None = None, **kwargs):
        super().__init__(*args, instance=instance, owner=None, case=instance, **kwargs)
        if instance is not None and instance.pk:
            self.owner = instance.organisation
            pending = instance.revisions.filter(status=CaseRevision.Status.PENDING).first()
            current = pending.data if pending else services.case_snapshot(instance)
            if not self.is_bound:
                self.initial.update(form_initial(current))
        self._use_admin_widgets()

    def _use_admin_widgets(self) -> None:
        """The admin's sizes for the content's fields, and help where a list is typed as text."""
        widgets: dict[str, forms.Widget] = {
            "title": forms.TextInput(attrs={"class": "vTextField"}),
            "tags": forms.TextInput(attrs={"size": 80}),
            "source_case": forms.TextInput(attrs={"size": 10}),
        }
        for name, rows in self.ROWS.items():
            widgets[name] = forms.Textarea(attrs={"rows": rows, "cols": 80})
        help_texts = {
            "tags": _("Separated by commas."),
            "links": _("One a line: the address, then a title."),
            "source_case": _("The id of a published case."),
        }
        for name, field in self.fields.items():
            if name in widgets:
                field.widget = widgets[name]
            if name in help_texts:
                field.help_text = help_texts[name]
            if name in ("sectors", "innovation_types", "benefits"):
                select = cast(forms.SelectMultiple, field.widget)
                field.widget = forms.CheckboxSelectMultiple(choices=select.choices)

    def _post_clean(self):
        # The content is the service's to write (see save_model), not the model form's.
        pass


@admin.register(Case)
class CaseAdmin(SoftDeleteMixin, admin.ModelAdmin):
    """Cases as moderators and operators see and correct them.

    The content is written through services.case_update, like an author's edit on the site
    (permissions.can_correct_case): an edit of a published case becomes a revision that waits
    for a moderator; nothing is written around the services. Cases are created on the site.
    """

    form = CaseAdminForm
    action_form = ReasonActionForm
    list_display = (
        "title",
        "organisation",
        "status",
        "origin",
        "stage",
        "published_at",
        "updated_at",
    )
    list_filter = ("status", "origin", "stage", "workplace_type")
    search_fields = ("title", "summary", "organisation__name")
    date_hierarchy = "published_at"
    list_select_related = ("organisation",)
    inlines = (AttachmentInline, CaseRevisionInline, CaseEventInline)
    # Approving happens on the moderation pages, which show what is approved and name its
    # version (services.case_approve); the admin only sends back, archives and restores.
    actions = ["request_changes", "archive", "restore", "delete_selected"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "organisation", "partners")}),
        (
            _("Content"),
            {"fields": ("summary", "problem", "solution", "results", "reuse_guide", "contact")},
        ),
        (_("Contact person"), {"fields": tuple(CONTACT_FIELDS)}),
        (
            _("Classification"),
            {
                "fields": (
                    "sectors",
                    "innovation_types",
                    "benefits",
                    "tags",
                    "workplace_type",
                    "stage",
                    "links",
                )
            },
        ),
        (_("Origin"), {"fields": ("origin", "source_case", "source_description")}),
        (
            _("Dates"),
            {
                "fields": (
                    "created_by",
                    "created_at",
                    "updated_at",
                    "submitted_at",
                    "published_at",
                )
            },
        ),
    )
    # Status changes only through the actions, which call the services.
    readonly_fields = (
        "slug",
        "status",
        "organisation",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or permissions.can_correct_case(request.user, obj)
        )

    def save_model(self, request, obj, form, change):
        result = services.case_update(actor=request.user, case=obj, data=form.content())
        if isinstance(result, CaseRevision):
            messages.info(request, gettext("The edit waits for a moderator's approval."))

    def save_related(self, request, form, formsets, change):
        # Partners, terms and files are the content the service wrote; the inlines are read-only.
        pass

    def construct_change_message(self, request, form, formsets, add=False):
        # The read-only inlines were not saved (see save_related): nothing of theirs to report.
        return super().construct_change_message(request, form, [], add)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "case" and request.GET.get("field_name") == (
            "source_case"
        ):
            queryset = queryset.filter(status=CaseStatus.PUBLISHED)
        return queryset, may_have_duplicates

    def has_delete_permission(self, request, obj=None):
        # Only what never went public may be deleted; published cases are archived instead.
        return super().has_delete_permission(request, obj) and (
            obj is None or permissions.can_delete_case(request.user, obj)
        )

    request_changes = service_action(
        services.case_request_changes,
        target="case",
        reason="reason",
        description=_("Request changes (give a reason)"),
        description_plural=_("Request changes to the selected cases (give a reason)"),
        success=_("“%(obj)s” was sent back with your reason."),
    )
    archive = service_action(
        services.case_archive,
        target="case",
        reason="reason",
        description=_("Archive (give a reason)"),
        description_plural=_("Archive the selected cases (give a reason)"),
        success=_("“%(obj)s” was archived."),
    )
    restore = service_action(
        services.case_restore,
        target="case",
        description=_("Restore from the archive"),
        description_plural=_("Restore the selected cases from the archive"),
        success=_("“%(obj)s” is public again."),
    )

    def soft_delete(self, request, obj, reason):
        services.case_delete(actor=request.user, case=obj, reason=reason)


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "kind", "actor", "from_status", "to_status")
    list_filter = ("kind",)
    search_fields = ("case__title", "reason", "actor__email")
    date_hierarchy = "created_at"
    list_select_related = ("case", "actor")
    fields = (
        "case",
        "kind",
        "actor",
        "created_at",
        "from_status",
        "to_status",
        "reason",
        "changes",
        "snapshot",
    )


@admin.register(CaseRevision)
class CaseRevisionAdmin(ServiceActionsMixin, ReadOnlyAdmin):
    action_form = ReasonActionForm
    list_display = ("case", "status", "created_by", "created_at", "reviewed_by", "reviewed_at")
    list_filter = ("status",)
    search_fields = ("case__title",)
    list_select_related = ("case", "created_by", "reviewed_by")
    fields = (
        "case",
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "reviewed_by",
        "reviewed_at",
        "reason",
        "proposed_changes",
    )
    readonly_fields = ("proposed_changes",)
    # Approving an edit happens on its moderation page, which shows the comparison.
    actions = ["reject"]

    @admin.display(description=_("Proposed changes (published → proposed)"))
    def proposed_changes(self, obj):
        published = services.case_snapshot(obj.case)
        changes = services.snapshot_diff(published, {**published, **(obj.data or {})})
        if not changes:
            return gettext("No difference from the published text.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Field"),
            gettext("Published"),
            gettext("Proposed"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((field, old, new) for field, (old, new) in changes.items()),
            ),
        )

    reject = service_action(
        services.revision_reject,
        target="revision",
        reason="reason",
        description=_("Send the edit back (give a reason)"),
        description_plural=_("Send the selected edits back (give a reason)"),
        success=_("“%(obj)s” was sent back."),
    )


@admin.register(CaseReport)
class CaseReportAdmin(ServiceActionsMixin, ReadOnlyAdmin):
    action_form = ReasonActionForm
    list_display = ("case", "reporter", "created_at", "resolved_at", "resolved_by")
    list_filter = (("resolved_at", admin.EmptyFieldListFilter),)
    search_fields = ("case__title", "reason", "resolution")
    list_select_related = ("case", "reporter", "resolved_by")
    fields = (
        "case",
        "reporter",
        "created_at",
        "reason",
        "resolved_at",
        "resolved_by",
        "resolution",
    )
    actions = ["resolve"]

    # The reason box holds the resolution, which may be left empty.
    resolve = service_action(
        services.report_resolve,
        target="report",
        reason="resolution",
        reason_required=False,
        description=_("Mark as handled (the reason box is the resolution)"),
        success=_("“%(obj)s” was marked as handled."),
    )


@admin.register(Attachment)
class AttachmentAdmin(SoftDeleteMixin, admin.ModelAdmin):
    list_display = ("__str__", "case", "kind", "content_type", "size", "created_at")
    list_filter = ("kind",)
    search_fields = ("title", "original_name", "case__title")
    list_select_related = ("case",)
    fields = (
        "case",
        "kind",
        "file",
        "title",
        "alt_text",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "pending",
        "created_at",
    )
    # Described by the case's authors on the site; here a moderator reads or removes.
    readonly_fields = (
        "case",
        "kind",
        "file",
        "title",
        "alt_text",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "pending",
        "created_at",
    )
    actions = ["delete_selected"]

    def has_add_permission(self, request):
        # Uploads go through the site, which checks the file's type and size.
        return False

    def soft_delete(self, request, obj, reason):
        services.attachment_withdraw(actor=request.user, attachment=obj, reason=reason)
