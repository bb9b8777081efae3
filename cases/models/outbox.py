"""Email written in the same transaction as the change it tells about."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """An email written in the same transaction as the change it tells about.

    It is sent after the commit; if the mail server fails the row stays unsent and
    `send_queued_email` tries again, so a failing mail server never loses or rolls back work.

    An email that carries a one-time link (see `cases.links`) stores no body: only its
    `template` and the ids it needs (`params`). It is rendered with a fresh link when sent
    and the body is kept nowhere, so nobody who can read this table can act on the link.
    """

    to = models.JSONField()
    subject = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    template = models.CharField(max_length=100, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing email")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return self.subject
