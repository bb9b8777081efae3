"""Cases, their history, proposed edits, reports and files."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import permissions, services
from ..models import (
    Attachment,
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
    CaseTerm,
)

# Case.search_extra copies words from other tables (tags, owner and partner names); rows the
# admin writes directly must refresh it as the services do.
from ..services import refresh_search_extra
from ..vocabularies import (
    Benefit,
    CaseStatus,
    InnovationType,
    Sector,
)
from .actions import (
    BOTH_LOCATIONS,
    ReadOnlyAdmin,
    ReasonActionForm,
    ServiceActionsMixin,
    SoftDeleteMixin,
)

TERM_CODES = {
    CaseTerm.Vocabulary.SECTOR: Sector,
    CaseTerm.Vocabulary.INNOVATION_TYPE: InnovationType,
    CaseTerm.Vocabulary.BENEFIT: Benefit,
}


class CaseTermForm(forms.ModelForm):
    class Meta:
        model = CaseTerm
        fields = ("vocabulary", "code")

    def clean(self):
        data = super().clean()
        vocabulary, code = data.get("vocabulary"), (data.get("code") or "").strip()
        codes = TERM_CODES.get(vocabulary)
        if codes is not None and code not in codes.values:
            self.add_error(
                "code",
                _("Unknown code “%(code)s”. Allowed: %(allowed)s.")
                % {"code": code, "allowed": ", ".join(codes.values)},
            )
        elif vocabulary == CaseTerm.Vocabulary.TAG:
            data["code"] = code.lower()
        return data


class CaseTermInline(admin.TabularInline):
    model = CaseTerm
    form = CaseTermForm
    extra = 0
    verbose_name_plural = _("sectors, innovation types, benefits and tags")


class AttachmentInline(admin.TabularInline):
    """Files arrive through the site's upload, which checks their type; here they are described
    or removed (soft delete)."""

    model = Attachment
    fields = ("kind", "file", "title", "alt_text", "content_type", "size", "pending", "created_at")
    readonly_fields = ("kind", "file", "content_type", "size", "pending", "created_at")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
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

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseRevisionInline(admin.TabularInline):
    model = CaseRevision
    fields = ("status", "created_by", "created_at", "reviewed_by", "reviewed_at", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("proposed edits")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "reviewed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseForm(forms.ModelForm):
    # No Meta: the admin builds the form from its fieldsets (modelform_factory).

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Case.all_objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another case (perhaps a deleted one) has this slug."))
        return slug

    def clean(self):
        data = super().clean()
        # The same rules as the services' validation of a case's content.
        source = data.get("source_case")
        if (
            source is not None
            and "source_case" in self.changed_data
            and not Case.objects.published().filter(pk=source.pk).exists()
        ):
            self.add_error("source_case", _("The source must be a published case."))
        organisation = data.get("organisation")
        if organisation is not None and organisation in (data.get("partners") or []):
            self.add_error("partners", _("The owner organisation cannot also be a partner."))
        return data


@admin.register(Case)
class CaseAdmin(SoftDeleteMixin, admin.ModelAdmin):
    form = CaseForm
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
    autocomplete_fields = ("organisation", "source_case", "partners")
    prepopulated_fields = {"slug": ("title",)}
    list_select_related = ("organisation",)
    inlines = (CaseTermInline, AttachmentInline, CaseRevisionInline, CaseEventInline)
    # Approving happens on the moderation pages, which show what is approved and name its
    # version (services.case_approve); the admin only sends back, archives and restores.
    actions = ["request_changes", "archive", "restore", "delete_selected"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "organisation", "partners")}),
        (
            _("Content"),
            {"fields": ("summary", "problem", "solution", "results", "reuse_guide", "contact")},
        ),
        (_("Classification"), {"fields": ("workplace_type", "stage", "links")}),
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
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
    )

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

    # Edits in the admin leave the same trace as edits on the site: a history row with the
    # actor and what changed.
    def save_model(self, request, obj, form, change):
        if change:
            request._case_before = services.case_snapshot(Case.all_objects.get(pk=obj.pk))
            if form.has_changed():
                obj.updated_at = timezone.now()
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        refresh_search_extra(case)
        after = services.case_snapshot(case)
        if not change:
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.CREATED,
                actor=request.user,
                to_status=case.status,
                snapshot=after,
                reason=gettext("Created in the admin."),
            )
            return
        changes = services.snapshot_diff(request._case_before, after)
        if changes:
            Case.all_objects.filter(pk=case.pk).update(updated_at=timezone.now())
            CaseEvent.objects.create(
                case=case,
                kind=CaseEvent.Kind.EDITED,
                actor=request.user,
                from_status=case.status,
                to_status=case.status,
                changes=changes,
                snapshot=after,
                reason=gettext("Edited in the admin."),
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        for attachment in formset.save(commit=False):
            attachment.save()
        now = timezone.now()
        for attachment in formset.deleted_objects:
            Attachment.all_objects.filter(pk=attachment.pk).update(deleted_at=now)
        return None

    @admin.action(
        permissions=["moderate"],
        description=_("Request changes (give a reason)"),
        description_plural=_("Request changes to the selected cases (give a reason)"),
        location=BOTH_LOCATIONS,
    )
    def request_changes(self, request, queryset):
        self.run_each_with_reason(
            request,
            queryset,
            lambda case, reason: services.case_request_changes(
                actor=request.user, case=case, reason=reason
            ),
            gettext("“%(obj)s” was sent back with your reason."),
        )

    @admin.action(
        permissions=["moderate"],
        description=_("Archive (give a reason)"),
        description_plural=_("Archive the selected cases (give a reason)"),
        location=BOTH_LOCATIONS,
    )
    def archive(self, request, queryset):
        self.run_each_with_reason(
            request,
            queryset,
            lambda case, reason: services.case_archive(
                actor=request.user, case=case, reason=reason
            ),
            gettext("“%(obj)s” was archived."),
        )

    @admin.action(
        permissions=["moderate"],
        description=_("Restore from the archive"),
        description_plural=_("Restore the selected cases from the archive"),
        location=BOTH_LOCATIONS,
    )
    def restore(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda case: services.case_restore(actor=request.user, case=case),
            gettext("“%(obj)s” is public again."),
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

    @admin.action(
        permissions=["moderate"],
        description=_("Send the edit back (give a reason)"),
        description_plural=_("Send the selected edits back (give a reason)"),
        location=BOTH_LOCATIONS,
    )
    def reject(self, request, queryset):
        self.run_each_with_reason(
            request,
            queryset,
            lambda revision, reason: services.revision_reject(
                actor=request.user, revision=revision, reason=reason
            ),
            gettext("“%(obj)s” was sent back."),
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

    @admin.action(
        permissions=["moderate"],
        description=_("Mark as handled (the reason box is the resolution)"),
        location=BOTH_LOCATIONS,
    )
    def resolve(self, request, queryset):
        # The reason box holds the resolution, which may be left empty.
        self.run_each_with_reason(
            request,
            queryset,
            lambda report, resolution: services.report_resolve(
                actor=request.user, report=report, resolution=resolution
            ),
            gettext("“%(obj)s” was marked as handled."),
            required=False,
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
    readonly_fields = (
        "case",
        "kind",
        "file",
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
        # services.attachment_remove is for the case's own editors (and proposes the removal of
        # a published file as an edit); a moderator's removal takes effect at once, with a trace.
        before = services.case_snapshot(obj.case)
        Attachment.all_objects.filter(pk=obj.pk).update(deleted_at=timezone.now())
        after = services.case_snapshot(obj.case)
        CaseEvent.objects.create(
            case=obj.case,
            kind=CaseEvent.Kind.EDITED,
            actor=request.user,
            from_status=obj.case.status,
            to_status=obj.case.status,
            changes=services.snapshot_diff(before, after) or None,
            snapshot=after,
            reason=reason or gettext("File “%s” removed in the admin.") % obj,
        )
