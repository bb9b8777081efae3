"""Users, memberships and API tokens."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    ApiToken,
    Membership,
    User,
)
from ..refusals import REFUSALS

# Case.search_extra copies words from other tables (tags, owner and partner names); rows the
# admin writes directly must refresh it as the services do.
from ..vocabularies import (
    MembershipStatus,
)
from .actions import (
    ReasonActionForm,
    ServiceActionsMixin,
    refusal_text,
    service_action,
)


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
            {
                "fields": (
                    "is_active",
                    "service_account",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
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
    # Only issue_token makes service accounts: marking a person's account as one would let the
    # command hand out keys to it without taking it over.
    readonly_fields = ("last_login", "date_joined", "service_account")
    list_display = ("email", "full_name", "is_staff", "email_verified_at")
    list_filter = (
        "service_account",
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
            self.message_user(request, refusal_text(membership, error), messages.ERROR)

    approve = service_action(
        services.membership_approve,
        target="membership",
        permission="change",
        related=("user", "organisation"),
        description=_("Approve the request"),
        description_plural=_("Approve the selected requests"),
        success=_("“%(obj)s” was approved."),
    )
    decline = service_action(
        services.membership_decline,
        target="membership",
        permission="change",
        related=("user", "organisation"),
        reason="reason",
        reason_required=False,
        description=_("Decline the request (the reason is sent to the person)"),
        description_plural=_("Decline the selected requests (the reason is sent to them)"),
        success=_("“%(obj)s” was declined."),
    )


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
