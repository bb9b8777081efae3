"""The Django admin: the moderators' and operators' back office.

Two rules shape it:

- State changes go through the same services as the site (`cases.services`), with the signed-in
  admin user as the actor, so permissions, locking, history and notifications are the same
  whichever door a moderator uses. Refusals become messages, never a 500.
- Nothing published is lost: "delete" on cases, adoptions, organisations and attachments is a
  soft delete (the row and its history stay; `all_objects` still sees it), and the history
  (CaseEvent) is never edited.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation, helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import notifications, permissions, services
from .models import (
    Adoption,
    ApiToken,
    Attachment,
    Case,
    CaseEvent,
    CaseReport,
    CaseRevision,
    CaseTerm,
    Change,
    Membership,
    Organisation,
    OutgoingEmail,
    SpreadActivity,
    User,
)

# Case.search_extra copies words from other tables (tags, owner and partner names); rows the
# admin writes directly must refresh it as the services do.
from .services import refresh_search_extra
from .vocabularies import (
    Benefit,
    CaseStatus,
    InnovationType,
    MembershipStatus,
    OrganisationKind,
    Sector,
)

admin.site.site_header = _("Innovation sharing: administration")
admin.site.site_title = _("Innovation sharing")
admin.site.index_title = _("Administration")

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
# The refusals a service may raise; each becomes a message about the one object it concerns.
REFUSALS = (PermissionDenied, ValidationError, services.Conflict, ObjectDoesNotExist)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, services.Conflict):
        return error.message
    if isinstance(error, ObjectDoesNotExist):
        return gettext("It no longer exists.")
    return str(error) or gettext("You do not have permission to do this.")


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


class ServiceActionsMixin:
    """Run a service once per selected object and report each outcome."""

    def has_moderate_permission(self, request) -> bool:
        return permissions.is_moderator(request.user)

    def run_each(self, request, queryset, act, success: str) -> int:
        """Call `act(obj)` for each object; `success` is a message with %(obj)s. Returns the
        number that succeeded. Each call is its own transaction (the services are atomic), so
        one refusal does not undo the others."""
        done = 0
        for obj in queryset:
            try:
                act(obj)
            except REFUSALS as error:
                self.message_user(request, f"{obj}: {_error_text(error)}", messages.ERROR)
            else:
                done += 1
                self.message_user(request, success % {"obj": obj}, messages.SUCCESS)
        return done

    def run_each_with_reason(
        self, request, queryset, act, success: str, *, required: bool = True
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
            self.message_user(request, f"{obj}: {_error_text(error)}", messages.ERROR)
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


# --- Users and memberships ----------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("A user with this email address already exists."))
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A user with this email address already exists."))
        return email


class MembershipInline(admin.TabularInline):
    """Memberships at a glance. Existing ones are changed on their own page, where approving,
    declining, role changes and removal go through the services; new ones may be added here."""

    model = Membership
    readonly_fields = ("status", "created_at")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False


def save_membership_formset(request, formset) -> None:
    """New memberships added inline are active at once, approved by the operator."""
    for membership in formset.save(commit=False):
        membership.approved_by, membership.approved_at = request.user, timezone.now()
        membership.save()


class UserMembershipInline(MembershipInline):
    fk_name = "user"
    fields = ("organisation", "role", "status", "created_at")
    autocomplete_fields = ("organisation",)
    verbose_name_plural = _("memberships")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "email_verified_at")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "is_staff", "email_verified_at")
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        ("email_verified_at", admin.EmptyFieldListFilter),
        "groups",
    )
    search_fields = ("email", "full_name")
    ordering = ("email",)
    inlines = (UserMembershipInline,)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            return save_membership_formset(request, formset)
        return super().save_formset(request, form, formset, change)


class MembershipForm(forms.ModelForm):
    # No Meta: the admin builds the form from its fields (modelform_factory).

    def clean_role(self):
        role = self.cleaned_data["role"]
        if (
            self.instance.pk
            and role != self.instance.role
            and self.instance.status != MembershipStatus.ACTIVE
        ):
            raise ValidationError(_("Approve the request before changing the role."))
        return role


@admin.register(Membership)
class MembershipAdmin(ServiceActionsMixin, admin.ModelAdmin):
    """Requests are approved or declined with the actions; role changes and removal go through
    the same services as the organisation's member page."""

    form = MembershipForm
    action_form = ReasonActionForm
    list_display = ("user", "organisation", "role", "status", "created_at", "approved_at")
    list_filter = ("role", "status")
    search_fields = ("user__email", "user__full_name", "organisation__name")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")
    fields = ("user", "organisation", "role", "status", "created_at", "approved_at", "approved_by")
    readonly_fields = ("status", "created_at", "approved_at", "approved_by")
    actions = ["approve", "decline"]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ("user", "organisation", *fields) if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            # Added by an operator: active at once, with the operator as approver.
            obj.approved_by, obj.approved_at = request.user, timezone.now()
            super().save_model(request, obj, form, change)
        elif "role" in form.changed_data:
            services.membership_set_role(actor=request.user, membership=obj, role=obj.role)

    def delete_model(self, request, obj):
        self._remove(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            self._remove(request, membership)

    def _remove(self, request, membership):
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except REFUSALS as error:
            self.message_user(request, f"{membership}: {_error_text(error)}", messages.ERROR)

    @admin.action(
        permissions=["change"],
        description=_("Approve the request"),
        description_plural=_("Approve the selected requests"),
        location=BOTH_LOCATIONS,
    )
    def approve(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("user", "organisation"),
            lambda membership: services.membership_approve(
                actor=request.user, membership=membership
            ),
            gettext("“%(obj)s” was approved."),
        )

    @admin.action(
        permissions=["change"],
        description=_("Decline the request (the reason is sent to the person)"),
        description_plural=_("Decline the selected requests (the reason is sent to them)"),
        location=BOTH_LOCATIONS,
    )
    def decline(self, request, queryset):
        self.run_each_with_reason(
            request,
            queryset.select_related("user", "organisation"),
            lambda membership, reason: services.membership_decline(
                actor=request.user, membership=membership, reason=reason
            ),
            gettext("“%(obj)s” was declined."),
            required=False,
        )


# --- Organisations --------------------------------------------------------------------------


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


# --- Cases -----------------------------------------------------------------------------------

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
    actions = [
        "approve",
        "request_changes",
        "archive",
        "restore",
        "approve_pending_edit",
        "delete_selected",
    ]
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
        description=_("Approve and publish"),
        description_plural=_("Approve and publish the selected cases"),
        location=BOTH_LOCATIONS,
    )
    def approve(self, request, queryset):
        self.run_each(
            request,
            queryset.select_related("organisation"),
            lambda case: services.case_approve(actor=request.user, case=case),
            gettext("“%(obj)s” was approved and published."),
        )

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

    @admin.action(
        permissions=["moderate"],
        description=_("Approve the proposed edit"),
        description_plural=_("Approve the proposed edits of the selected cases"),
        location=BOTH_LOCATIONS,
    )
    def approve_pending_edit(self, request, queryset):
        def approve(case):
            revision = case.revisions.filter(status=CaseRevision.Status.PENDING).first()
            if revision is None:
                raise services.Conflict(gettext("It has no edit waiting for approval."))
            services.revision_approve(actor=request.user, revision=revision)

        self.run_each(request, queryset, approve, gettext("The edit of “%(obj)s” was approved."))

    def soft_delete(self, request, obj, reason):
        services.case_delete(actor=request.user, case=obj, reason=reason)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    actions = ["approve", "reject"]

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
        description=_("Approve the edit"),
        description_plural=_("Approve the selected edits"),
        location=BOTH_LOCATIONS,
    )
    def approve(self, request, queryset):
        self.run_each(
            request,
            queryset,
            lambda revision: services.revision_approve(actor=request.user, revision=revision),
            gettext("“%(obj)s” was approved."),
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


# --- Reuse and spreading ----------------------------------------------------------------------


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


# --- Accounts and the outbox ------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are made by a service that shows the key once; the admin sees only its hash."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__email")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoke instead: the row says who had access, and until when.
        return False

    @admin.action(permissions=["change"], description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request, gettext("%(count)d token(s) revoked.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    """The change feed's log, for looking into what a syncing client was sent."""

    list_display = ["id", "kind", "object_id", "txid", "created_at"]
    list_filter = ["kind"]
    search_fields = ["object_id"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ("subject", "recipients", "created_at", "sent_at", "attempts")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    fields = ("to", "subject", "body", "created_at", "sent_at", "attempts", "last_error")
    actions = ["send_again"]

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to or [])

    @admin.action(permissions=["view"], description=_("Try sending again"), location=BOTH_LOCATIONS)
    def send_again(self, request, queryset):
        for email in queryset:
            if email.sent_at is not None:
                self.message_user(
                    request, gettext("“%s” was already sent.") % email.subject, messages.INFO
                )
            elif notifications.send(email.pk):
                self.message_user(request, gettext("“%s” was sent.") % email, messages.SUCCESS)
            else:
                email.refresh_from_db()
                self.message_user(
                    request,
                    gettext("“%(subject)s” could not be sent: %(error)s")
                    % {"subject": email.subject, "error": email.last_error},
                    messages.ERROR,
                )
