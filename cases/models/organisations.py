"""Organisations and their members."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..vocabularies import (
    CentralityClass,
    EmployeeBand,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Region,
    SizeClass,
    WorkplaceType,
    size_class_for,
)
from .base import AliveManager, SoftDeleteQuerySet
from .facets import refresh_masks_of


class Organisation(models.Model):
    """A municipality, county municipality, workplace unit or other organisation.

    `municipality`, `county`, `region`, `size_class` and `centrality_class` are derived on save
    from the organisation itself (municipalities, counties) or its parent chain (units), so the
    statistics can group by them without walking the tree: a unit's attributes are its
    municipality's.
    """

    # Set on the instance by the change feed's signal handlers (cases.changefeed.record): the
    # organisation's listed fields before this save.
    _feed_listed_before: tuple[Any, ...] | None

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    number = models.CharField(
        _("official number"),
        max_length=4,
        blank=True,
        default="",
        help_text=_("Four digits for municipalities, two for counties."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    municipality = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    county = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    centrality_class = models.PositiveSmallIntegerField(
        _("centrality class"), choices=CentralityClass.choices, null=True, blank=True
    )
    centrality_index = models.PositiveSmallIntegerField(
        _("centrality index"), null=True, blank=True
    )
    region = models.CharField(_("region"), max_length=30, choices=Region.choices, blank=True)
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, blank=True, editable=False
    )
    workplace_type = models.CharField(
        _("workplace type"), max_length=30, choices=WorkplaceType.choices, blank=True
    )
    employee_band = models.CharField(
        _("employee band"), max_length=10, choices=EmployeeBand.choices, blank=True
    )
    email_domains = models.JSONField(
        _("email domains"),
        default=list,
        blank=True,
        help_text=_("Verified users with an address in these domains become members."),
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.MUNICIPALITY) | Q(number__regex=r"^[0-9]{4}$"),
                name="municipality_number_four_digits",
                violation_error_message=_("A municipality number has four digits."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=OrganisationKind.COUNTY) | Q(number__regex=r"^[0-9]{2}$"),
                name="county_number_two_digits",
                violation_error_message=_("A county number has two digits."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY])
                | Q(number=""),
                name="number_only_for_municipalities_and_counties",
            ),
            models.UniqueConstraint(
                fields=["kind", "number"],
                condition=~Q(number=""),
                name="unique_official_number",
                violation_error_message=_("Another organisation already has this number."),
            ),
            models.CheckConstraint(
                condition=Q(centrality_class__isnull=True)
                | Q(centrality_class__gte=1, centrality_class__lte=6),
                name="centrality_class_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="organisation_not_own_parent",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "number"]),
            models.Index(fields=["region"]),
            models.Index(fields=["size_class"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation-detail", kwargs={"slug": self.slug})

    def derive_geography(self) -> None:
        """Fill the derived geography from the parent chain (see the class docstring)."""
        kind = self.kind
        parent = self.parent
        if kind == OrganisationKind.COUNTY:
            self.municipality = None
            self.size_class = ""
        elif kind == OrganisationKind.MUNICIPALITY:
            self.county = parent if parent and parent.kind == OrganisationKind.COUNTY else None
            self.size_class = size_class_for(self.population)
            if self.county and not self.region:
                self.region = self.county.region
        else:
            municipality = None
            county = None
            node, seen = parent, set()
            # A loop in the parent chain (A under B under A) must not hang the save.
            while node is not None and node.pk not in seen:
                seen.add(node.pk)
                if node.kind == OrganisationKind.MUNICIPALITY and municipality is None:
                    municipality = node
                if node.kind == OrganisationKind.COUNTY and county is None:
                    county = node
                node = node.parent
            if municipality is not None and county is None:
                county = municipality.county
            self.municipality = municipality
            self.county = county
            source = municipality or county
            self.region = source.region if source else ""
            self.size_class = municipality.size_class if municipality else ""
            self.centrality_class = municipality.centrality_class if municipality else None

    # What the facet masks of the cases it reused copy (cases/models/facets.py), as loaded.
    _searched_as: tuple | None
    SEARCHED_AS = ("size_class", "centrality_class", "region", "county_id", "number", "deleted_at")

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._searched_as = instance._searched_state()
        return instance

    def _searched_state(self) -> tuple | None:
        """SEARCHED_AS as loaded, None if some of it was not (a deferred field)."""
        if any(name not in self.__dict__ for name in self.SEARCHED_AS):
            return None
        return tuple(self.__dict__[name] for name in self.SEARCHED_AS)

    def save(self, *args: Any, **kwargs: Any) -> None:
        created = self._state.adding
        self.derive_geography()
        super().save(*args, **kwargs)
        # Municipalities and counties point at themselves, so every organisation can be grouped
        # by municipality and county with one column.
        own = {}
        if self.kind == OrganisationKind.MUNICIPALITY and self.municipality_id != self.pk:
            own["municipality_id"] = self.pk
        if self.kind == OrganisationKind.COUNTY and self.county_id != self.pk:
            own["county_id"] = self.pk
        if own:
            type(self).all_objects.filter(pk=self.pk).update(**own)
            for field, value in own.items():
                setattr(self, field, value)
        state = self._searched_state()
        if not created and (state is None or state != getattr(self, "_searched_as", None)):
            refresh_masks_of(self.pk)
        self._searched_as = state


class Membership(models.Model):
    """A user's place in an organisation. Editors manage the organisation's cases and members."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                name="one_membership_per_user_and_organisation",
                violation_error_message=_("This user is already a member of the organisation."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation} ({self.role})"
