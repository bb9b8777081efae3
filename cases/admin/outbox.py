"""The change feed's log and the outgoing email."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import notifications
from ..models import (
    Change,
    FeedEpoch,
    OutgoingEmail,
)

# Case.search_extra copies words from other tables (tags, owner and partner names); rows the
# admin writes directly must refresh it as the services do.
from .actions import BOTH_LOCATIONS, ReadOnlyAdmin


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    """The change feed's log, for looking into what a syncing client was sent."""

    list_display = ["id", "kind", "object_id", "txid", "created_at"]
    list_filter = ["kind"]
    search_fields = ["object_id"]


@admin.register(FeedEpoch)
class FeedEpochAdmin(ReadOnlyAdmin):
    """When the feed started again after a restore (`manage.py after_restore`)."""

    list_display = ["key", "started_at", "entries", "rebased", "txid"]
    search_fields = ["key"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = ("subject", "recipients", "created_at", "sent_at", "attempts")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    # Never the stored body as such: an email with a one-time link has none (it is made when
    # sent), and shown_body says so rather than showing whatever the row holds.
    fields = ("to", "subject", "shown_body", "created_at", "sent_at", "attempts", "last_error")
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description=_("to"))
    def recipients(self, obj):
        return ", ".join(obj.to or [])

    @admin.display(description=_("text"))
    def shown_body(self, obj):
        if obj.template in notifications.LINK_EMAILS or not obj.body:
            return gettext(
                "Not kept: this email carries a one-time link, which is made when the email "
                "is sent and stored nowhere."
            )
        return obj.body

    @admin.action(permissions=["view"], description=_("Try sending again"), location=BOTH_LOCATIONS)
    def send_again(self, request, queryset):
        for email in queryset:
            if email.sent_at is not None:
                self.message_user(
                    request, gettext("“%s” was already sent.") % email.subject, messages.INFO
                )
            elif notifications.send(email.pk):
                if OutgoingEmail.objects.filter(pk=email.pk).exists():
                    text = gettext("“%s” was sent.")
                else:
                    text = gettext("“%s” had nobody left to go to and was removed.")
                self.message_user(request, text % email, messages.SUCCESS)
            else:
                email.refresh_from_db()
                self.message_user(
                    request,
                    gettext("“%(subject)s” could not be sent: %(error)s")
                    % {"subject": email.subject, "error": email.last_error},
                    messages.ERROR,
                )
