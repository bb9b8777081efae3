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
