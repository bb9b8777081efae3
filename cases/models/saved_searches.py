"""Searches people follow: new published cases that match are emailed to them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedSearch(models.Model):
    """A search of the search page (its words and filters, as a normalised query string) that a
    person follows, and how often they want to hear of new cases that match it.

    Unsubscribing from an email leaves the row, inactive, so the person can turn it on again
    from "My work"; deleting it there removes it.
    """

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("As soon as a case is published")
        WEEKLY = "weekly", _("Once a week")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_searches",
        verbose_name=_("user"),
    )
    # The search page's parameters that choose cases, sorted: one search, one string.
    query = models.CharField(_("search"), max_length=2000, blank=True)
    label = models.CharField(_("label"), max_length=300)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The cases published up to this time have been told about (weekly: in the last digest).
    last_notified_at = models.DateTimeField(_("last notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="saved_search_once_per_user")
        ]
        indexes = [models.Index(fields=["frequency", "active"], name="saved_search_due")]

    def __str__(self):
        return self.label

    def get_search_url(self) -> str:
        """The search page showing the search."""
        return reverse("case-list") + (f"?{self.query}" if self.query else "")
