"""The domain: organisations, their members, innovation cases, their history and their reuse."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .vocabularies import (
    AdoptionMode,
    AdoptionStatus,
    AttachmentKind,
    Benefit,
    CaseStatus,
    CentralityClass,
    Channel,
    EmployeeBand,
    InnovationType,
    MembershipRole,
    MembershipStatus,
    OrganisationKind,
    Origin,
    Region,
    Sector,
    SizeClass,
    SpreadKind,
    Stage,
    WorkplaceType,
    size_class_for,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an email address; belongs to organisations through memberships."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    email_verified_at = models.DateTimeField(_("email verified"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_moderator(self) -> bool:
        return self.is_active and (
            self.is_superuser or self.groups.filter(name=MODERATORS_GROUP).exists()
        )


MODERATORS_GROUP = "moderators"


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class AliveManager(models.Manager.from_queryset(SoftDeleteQuerySet)):
    """The default manager hides soft-deleted rows; `all_objects` still sees them."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Organisation(models.Model):
    """A municipality, county municipality, workplace unit or other organisation.

    `municipality`, `county`, `region`, `size_class` and `centrality_class` are derived on save
    from the organisation itself (municipalities, counties) or its parent chain (units), so the
    statistics can group by them without walking the tree: a unit's attributes are its
    municipality's.
    """

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

    def derive_geography(self):
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

    def save(self, *args, **kwargs):
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


class CaseQuerySet(SoftDeleteQuerySet):
    def published(self):
        return self.filter(status=CaseStatus.PUBLISHED, deleted_at__isnull=True)


class CaseManager(models.Manager.from_queryset(CaseQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Case(models.Model):
    """An innovation case, owned by one organisation and moderated before it is public."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    results = models.TextField(_("results"), blank=True)
    reuse_guide = models.TextField(
        _("reuse guide"),
        blank=True,
        help_text=_("What it takes to reuse: cost, prerequisites, what must be adapted, pitfalls."),
    )
    contact = models.TextField(_("contact"), blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner organisation"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), blank=True, related_name="partner_cases"
    )
    workplace_type = models.CharField(
        _("workplace type"), max_length=30, choices=WorkplaceType.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin.choices, default=Origin.UNKNOWN
    )
    source_case = models.ForeignKey(
        "self",
        verbose_name=_("source case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_cases",
    )
    source_description = models.TextField(_("outside source"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    # Words that belong to the case but live in other tables (tags, owner and partner names),
    # kept here by the services so full-text search needs no join. See cases/search.py.
    search_extra = models.TextField(blank=True, default="", editable=False)
    # The case's alive adoptions: how many, and the earliest date one of them gives. Kept in the
    # same transaction as every adoption write (Adoption.save/delete, and the bulk loaders through
    # refresh_adoption_counters), so lists sort by reuse and pages show it without counting.
    adoption_count = models.PositiveIntegerField(_("adoption count"), default=0, editable=False)
    first_adopted_on = models.DateField(_("first adopted"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CaseManager()
    all_objects = models.Manager.from_queryset(CaseQuerySet)()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_case__isnull=True) | ~Q(source_case=F("pk")),
                name="case_not_own_source",
                violation_error_message=_("A case cannot be its own source."),
            ),
            models.CheckConstraint(
                condition=~Q(origin=Origin.FIRST)
                | (Q(source_case__isnull=True) & Q(source_description="")),
                name="first_of_kind_has_no_source",
                violation_error_message=_("A case that is the first of its kind has no source."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="published_case_has_published_at",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"]),
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["origin"]),
            models.Index(fields=["stage"]),
            models.Index(fields=["workplace_type"]),
            models.Index(
                fields=["status", "-adoption_count", "-published_at", "-id"],
                name="case_most_reused",
            ),
            # The public list's default order, then the columns its filters read, so that a
            # page and its count come from the index alone. (Key columns rather than INCLUDE,
            # which SQLite does not have.)
            models.Index(
                fields=[
                    "-published_at",
                    "-id",
                    "organisation",
                    "stage",
                    "workplace_type",
                    "origin",
                    "updated_at",
                ],
                name="case_public_newest",
                condition=Q(status=CaseStatus.PUBLISHED, deleted_at__isnull=True),
            ),
            # The public list by title (the API's ordering=title), without sorting every case.
            models.Index(
                fields=["title", "-id"],
                name="case_public_title",
                condition=Q(status=CaseStatus.PUBLISHED, deleted_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("case-detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        # Saving a case read earlier must not write back counters that adoptions changed since:
        # only the adoption writes set them (see Adoption.save).
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key
                and not f.generated
                and f.name not in COUNTER_FIELDS
                and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == CaseStatus.PUBLISHED and self.deleted_at is None

    def codes(self, vocabulary: str) -> list[str]:
        """The case's codes in one vocabulary (uses prefetched terms when there are any)."""
        return sorted(t.code for t in self.terms.all() if t.vocabulary == vocabulary)

    @property
    def sectors(self) -> list[str]:
        return self.codes(CaseTerm.Vocabulary.SECTOR)

    @property
    def innovation_types(self) -> list[str]:
        return self.codes(CaseTerm.Vocabulary.INNOVATION_TYPE)

    @property
    def benefits(self) -> list[str]:
        return self.codes(CaseTerm.Vocabulary.BENEFIT)

    @property
    def tags(self) -> list[str]:
        return self.codes(CaseTerm.Vocabulary.TAG)

    @property
    def sector_labels(self) -> list[str]:
        return [str(Sector(code).label) for code in self.sectors]

    @property
    def innovation_type_labels(self) -> list[str]:
        return [str(InnovationType(code).label) for code in self.innovation_types]

    @property
    def benefit_labels(self) -> list[str]:
        return [str(Benefit(code).label) for code in self.benefits]


class CaseTerm(models.Model):
    """One code of a case's multi-valued lists: sectors, innovation types, benefits, free tags.

    One narrow table rather than a column per list: filters, facet counts and the statistics'
    breakdowns all become one indexed join on (vocabulary, code).
    """

    class Vocabulary(models.TextChoices):
        SECTOR = "sector", _("Sector")
        INNOVATION_TYPE = "innovation_type", _("Innovation type")
        BENEFIT = "benefit", _("Benefit")
        TAG = "tag", _("Tag")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms")
    vocabulary = models.CharField(max_length=20, choices=Vocabulary.choices)
    code = models.CharField(max_length=60)

    class Meta:
        verbose_name = _("case term")
        verbose_name_plural = _("case terms")
        constraints = [
            models.UniqueConstraint(fields=["case", "vocabulary", "code"], name="unique_case_term"),
        ]
        indexes = [models.Index(fields=["vocabulary", "code", "case"])]

    def __str__(self):
        return f"{self.vocabulary}:{self.code}"


class CaseEvent(models.Model):
    """The history of a case: every status transition and edit, with actor, time and reason."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved and published")
        CHANGES_REQUESTED = "changes-requested", _("Changes requested")
        ARCHIVED = "archived", _("Archived")
        RESTORED = "restored", _("Restored")
        DELETED = "deleted", _("Deleted")
        REVISION_SUBMITTED = "revision-submitted", _("Revision submitted")
        REVISION_APPROVED = "revision-approved", _("Revision approved")
        REVISION_REJECTED = "revision-rejected", _("Revision sent back")
        REPORTED = "reported", _("Reported")
        ADOPTION_RECORDED = "adoption-recorded", _("Reuse recorded")
        ADOPTION_CHANGED = "adoption-changed", _("Reuse changed")
        ADOPTION_WITHDRAWN = "adoption-withdrawn", _("Reuse withdrawn")
        ADOPTION_CONFIRMED = "adoption-confirmed", _("Reuse confirmed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_events",
    )
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    reason = models.TextField(blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    changes = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.case} – {self.get_kind_display()}"


class AdoptionQuerySet(SoftDeleteQuerySet):
    def public(self):
        """Adoptions that anyone may see: alive, of a published case."""
        return self.filter(
            deleted_at__isnull=True,
            case__status=CaseStatus.PUBLISHED,
            case__deleted_at__isnull=True,
            organisation__deleted_at__isnull=True,
        )


class AdoptionManager(models.Manager.from_queryset(AdoptionQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Adoption(models.Model):
    """A reuse record: an organisation copied or adapted someone else's case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="adoptions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("adopting organisation"),
        on_delete=models.PROTECT,
        related_name="adoptions",
    )
    # The case owner at the time of recording, kept here so the database itself can refuse an
    # organisation adopting its own case, and so "who spread most" needs no join.
    source_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="adoptions_of_own_cases",
        editable=False,
    )
    mode = models.CharField(_("mode"), max_length=10, choices=AdoptionMode.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    adopted_on = models.DateField(_("date adopted"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AdoptionStatus.choices, default=AdoptionStatus.IN_USE
    )
    note = models.TextField(_("what was changed"), blank=True)
    derived_case = models.ForeignKey(
        Case,
        verbose_name=_("derived case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived_from_adoptions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed = models.BooleanField(_("confirmed by the owner"), default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AdoptionManager()
    all_objects = models.Manager.from_queryset(AdoptionQuerySet)()

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["adopted_on", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(deleted_at__isnull=True),
                name="one_adoption_per_case_and_organisation",
                violation_error_message=_(
                    "This organisation has already recorded that it reused this case."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(organisation=F("source_organisation")),
                name="no_adoption_of_own_case",
                violation_error_message=_("An organisation cannot reuse its own case."),
            ),
            models.CheckConstraint(
                condition=Q(derived_case__isnull=True) | ~Q(derived_case=F("case")),
                name="derived_case_differs_from_source",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "adopted_on"]),
            models.Index(fields=["organisation"]),
            models.Index(fields=["source_organisation"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self):
        return f"{self.organisation} ← {self.case}"

    def save(self, *args, **kwargs):
        if self.source_organisation_id is None and self.case_id is not None:
            self.source_organisation_id = (
                Case.all_objects.filter(pk=self.case_id)
                .values_list("organisation_id", flat=True)
                .first()
            )
        with transaction.atomic():
            before = None
            if self.pk is not None:
                before = (
                    Adoption.all_objects.filter(pk=self.pk)
                    .values_list("case_id", "deleted_at", "adopted_on")
                    .first()
                )
            super().save(*args, **kwargs)
            saved = kwargs.get("update_fields")
            after = [self.case_id, self.deleted_at, self.adopted_on]
            if before is not None and saved is not None:
                # Fields left out of update_fields keep what the row had.
                for i, name in enumerate(("case", "deleted_at", "adopted_on")):
                    if name not in saved and f"{name}_id" not in saved:
                        after[i] = before[i]
            _count_adoption(before, tuple(after))

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            before = (
                Adoption.all_objects.filter(pk=self.pk)
                .values_list("case_id", "deleted_at", "adopted_on")
                .first()
            )
            result = super().delete(*args, **kwargs)
            _count_adoption(before, None)
        return result


# Written only by the adoption writes below and by refresh_adoption_counters.
COUNTER_FIELDS = ("adoption_count", "first_adopted_on")


def _first_adopted_on():
    """The earliest date among the case's alive adoptions (OuterRef: the case row)."""
    return models.Subquery(
        Adoption.all_objects.filter(
            case=models.OuterRef("pk"), deleted_at__isnull=True, adopted_on__isnull=False
        )
        .order_by("adopted_on")
        .values("adopted_on")[:1]
    )


def _count_adoption(before, after) -> None:
    """Bring the counters of the case(s) involved up to date after one adoption row changed.

    `before` and `after` are (case id, deleted_at, adopted_on) of the row, None where it did
    not exist. Counts move by F() updates. Where the earliest date may have gone, it is read
    again from the adoptions, after locking the case row: the lock makes concurrent adoption
    writes of the same case take turns, so the read sees every committed adoption.
    """
    was = before if before is not None and before[1] is None else None
    now = after if after is not None and after[1] is None else None
    if was is None and now is None:
        return
    if was is not None and now is not None and was[0] == now[0]:
        if was[2] == now[2]:
            return
        _lock_cases([now[0]])
        Case.all_objects.filter(pk=now[0]).update(first_adopted_on=_first_adopted_on())
        return
    if was is not None:
        changes = {"adoption_count": F("adoption_count") - 1}
        if was[2] is not None:
            _lock_cases([was[0]])
            # Only when the withdrawn date was the earliest does the earliest change.
            changes["first_adopted_on"] = models.Case(
                models.When(first_adopted_on=was[2], then=_first_adopted_on()),
                default=F("first_adopted_on"),
            )
        Case.all_objects.filter(pk=was[0]).update(**changes)
    if now is not None:
        changes = {"adoption_count": F("adoption_count") + 1}
        if now[2] is not None:
            changes["first_adopted_on"] = models.Case(
                models.When(first_adopted_on__lte=now[2], then=F("first_adopted_on")),
                default=models.Value(now[2]),
            )
        Case.all_objects.filter(pk=now[0]).update(**changes)


def _lock_cases(ids) -> None:
    list(
        Case.all_objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def refresh_adoption_counters(case_ids=None) -> None:
    """Count every case's adoptions again from the adoptions table: for writes that go around
    Adoption.save (bulk loads, imports, queryset updates). All cases take two statements
    whatever their number; `case_ids` limits it to those cases."""
    if case_ids is not None:
        ids = sorted(set(case_ids))
        if not ids:
            return
        _lock_cases(ids)
        counted = (
            Adoption.all_objects.filter(case=models.OuterRef("pk"), deleted_at__isnull=True)
            .order_by()
            .values("case")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        Case.all_objects.filter(pk__in=ids).update(
            adoption_count=Coalesce(
                models.Subquery(counted, output_field=models.IntegerField()), 0
            ),
            first_adopted_on=_first_adopted_on(),
        )
        return
    quote = connection.ops.quote_name
    case, adoption = quote(Case._meta.db_table), quote(Adoption._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {case} SET adoption_count = 0, first_adopted_on = NULL "
            f"WHERE (adoption_count <> 0 OR first_adopted_on IS NOT NULL) AND NOT EXISTS "
            f"(SELECT 1 FROM {adoption} a WHERE a.case_id = {case}.id AND a.deleted_at IS NULL)"
        )
        cursor.execute(
            f"UPDATE {case} SET adoption_count = counted.n, first_adopted_on = counted.first_on "
            f"FROM (SELECT case_id, COUNT(*) AS n, MIN(adopted_on) AS first_on FROM {adoption} "
            f"WHERE deleted_at IS NULL GROUP BY case_id) AS counted "
            f"WHERE {case}.id = counted.case_id"
        )


class SpreadActivity(models.Model):
    """Something an organisation did to spread a case: the barometer's "actively spread"."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="spread_activities"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="spread_activities"
    )
    kind = models.CharField(_("activity"), max_length=20, choices=SpreadKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    occurred_on = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("spread activity")
        verbose_name_plural = _("spread activities")
        ordering = ["-occurred_on"]
        indexes = [models.Index(fields=["organisation", "occurred_on"])]

    def __str__(self):
        return f"{self.organisation}: {self.get_kind_display()} ({self.occurred_on})"


def attachment_path(instance, filename):
    """A random stored name: the original name is kept in the row, never trusted on disk."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"attachments/{instance.case_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file or image belonging to a case. Served with its stored content type and nosniff."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    title = models.CharField(_("title"), max_length=200, blank=True)
    alt_text = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("Describe the image for those who cannot see it."),
    )
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A file added to a published case waits, like a text edit, for a moderator's approval.
    pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AliveManager()
    all_objects = models.Manager.from_queryset(SoftDeleteQuerySet)()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self):
        return self.title or self.original_name

    def get_absolute_url(self):
        return reverse("attachment-download", kwargs={"pk": self.pk, "name": self.original_name})


class CaseRevision(models.Model):
    """A proposed edit of a published case, waiting beside it until a moderator decides.

    The published row keeps serving the approved text; approving copies exactly this snapshot
    onto it. At most one revision per case is pending at a time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("case revision")
        verbose_name_plural = _("case revisions")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="one_pending_revision_per_case",
                violation_error_message=_("This case already has an edit waiting for approval."),
            ),
        ]

    def __str__(self):
        return f"{self.case} ({self.get_status_display()})"


class CaseReport(models.Model):
    """A logged-in user's report that a case is wrong or inappropriate, for the moderators."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.case}: {self.reason[:40]}"


class ApiToken(models.Model):
    """A named API token. Only a hash of the key is stored; the key is shown once at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class OutgoingEmail(models.Model):
    """An email written in the same transaction as the change it tells about.

    It is sent after the commit; if the mail server fails the row stays unsent and
    `send_queued_email` tries again, so a failing mail server never loses or rolls back work.
    """

    to = models.JSONField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
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


class Change(models.Model):
    """One entry of the change feed: "something about this case or adoption may have changed".

    Written in the same transaction as the change. The feed renders the object as it is when a
    client reads the entry, so an entry needs no payload; see cases/api/changes.py for how the
    feed orders entries so that none is ever skipped.
    """

    class Kind(models.TextChoices):
        CASE = "case", "case"
        ADOPTION = "adoption", "adoption"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # The writing transaction's id on PostgreSQL (pg_current_xact_id()); 0 on SQLite, which has
    # one writer at a time so that ids already follow commit order.
    txid = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["txid", "id"], name="change_feed_order"),
            # An object's earlier entries, which a new one makes redundant (cases/changes.py).
            models.Index(fields=["kind", "object_id"], name="change_feed_object"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}"
