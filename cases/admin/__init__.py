"""The Django admin: the moderators' and operators' back office.

Two rules shape it:

- State changes go through the same services as the site (`cases.services`), with the signed-in
  admin user as the actor, so permissions, locking, history and notifications are the same
  whichever door a moderator uses. Refusals become messages, never a 500.
- Nothing published is lost: "delete" on cases, adoptions, organisations and attachments is a
  soft delete (the row and its history stay; `all_objects` still sees it), and the history
  (CaseEvent) is never edited.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Innovation sharing: administration")
admin.site.site_title = _("Innovation sharing")
admin.site.index_title = _("Administration")

# Each module registers its models with the site.
from . import (  # noqa: E402, F401
    accounts,
    adoptions,
    cases,
    identity,
    organisations,
    outbox,
    questions,
    saved_searches,
)
