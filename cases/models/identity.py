"""Where a login through an identity provider says someone works, and which organisation that is."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..vocabularies import IdentitySourceKind, MembershipRole, MembershipStatus
from .organisations import Organisation


class IdentitySource(models.Model):
    """An operator's word that people an identity provider vouches for in a certain way speak for
    an organisation: an Entra tenant, an Ansattporten organisation number, or (weakest) an email
    domain, each only as asserted by one provider (a SocialApp's provider id)."""

    provider_id = models.CharField(
        _("provider id"),
        max_length=200,
        help_text=_("The provider id of the login app, e.g. entra-oslo or ansattporten."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IdentitySourceKind.choices)
    value = models.CharField(
        _("value"),
        max_length=200,
        help_text=_("The tenant id, the organisation number (9 digits) or the email domain."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="identity_sources",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("default role"),
        max_length=10,
        choices=MembershipRole.choices,
        default=MembershipRole.MEMBER,
    )
    status = models.CharField(
        _("membership starts as"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
        help_text=_("Waiting for approval: the organisation's editors decide on each new member."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity source")
        verbose_name_plural = _("identity sources")
        ordering = ["provider_id", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_id", "kind", "value"],
                name="one_mapping_per_identity_source",
                violation_error_message=_("This identity source is already mapped."),
            ),
        ]

    def __str__(self):
        return f"{self.provider_id} {self.get_kind_display()} {self.value} → {self.organisation}"

    def clean(self):
        self.provider_id = self.provider_id.strip()
        self.value = self.value.strip().lower().lstrip("@").rstrip(".")
