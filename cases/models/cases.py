"""Innovation cases: their content, terms, history, files, proposed edits and reports."""

import uuid
from pathlib import Path
from typing import Any, Self

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..vocabularies import (
    AttachmentKind,
    Benefit,
    CaseStatus,
    InnovationType,
    Origin,
    Sector,
    Stage,
    WorkplaceType,
)
from .base import AliveManager, SoftDeleteQuerySet
from .facets import MASK_COLUMNS, refresh_owner_columns, refresh_term_masks
from .organisations import Organisation

# Written only by the adoption writes (cases/models/adoptions.py) and by
# refresh_adoption_counters, by refresh_question_count (cases/models/questions.py) and by the
# facet masks' refreshes (cases/models/facets.py): a save of a case read before such a write
# must not put back what it read.
COUNTER_FIELDS = ("adoption_count", "first_adopted_on", "question_count", *MASK_COLUMNS)
# The cases the public sees (CaseQuerySet.published): the condition of the partial indexes
# that serve the public lists.
PUBLIC = Q(status=CaseStatus.PUBLISHED, deleted_at__isnull=True)


class CaseQuerySet(SoftDeleteQuerySet):
    def published(self) -> Self:
        return self.filter(PUBLIC)


_CaseManagerBase = models.Manager.from_queryset(CaseQuerySet)


class CaseManager(_CaseManagerBase):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Case(models.Model):
    """An innovation case, owned by one organisation and moderated before it is public."""

    # Set on the instance by the change feed's signal handlers (cases.changefeed.record).
    _feed_was_public: bool
    _feed_loading: bool
    _feed_old_source: int | None

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    # The provisional slug the case had until it was first published (cases/services/content.py):
    # its authors' links from before lead to its lasting address.
    draft_slug = models.SlugField(
        max_length=220, blank=True, default="", editable=False, db_index=False
    )
    summary = models.TextField(_("summary"), max_length=600, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    results = models.TextField(_("results"), blank=True)
    reuse_guide = models.TextField(
        _("reuse guide"),
        blank=True,
        help_text=_("What it takes to reuse: cost, prerequisites, what must be adapted, pitfalls."),
    )
    # Free text, as cases were written before the contact person; shown when no person is set.
    contact = models.TextField(_("contact"), blank=True)
    # The person others can ask, published because the author chose to (cases/content.py).
    contact_name = models.CharField(_("contact person's name"), max_length=200, blank=True)
    contact_role = models.CharField(_("contact person's role"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact person's email"), max_length=254, blank=True)
    contact_phone = models.CharField(_("contact person's phone"), max_length=30, blank=True)
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
    # The index terms of the title, of the summary and search_extra, and of the long texts
    # (cases/search_analysis.py), kept by the services; PostgreSQL's search_vector and SQLite's
    # FTS table are built from them. See cases/search.py.
    search_title = models.TextField(blank=True, default="", editable=False)
    search_summary = models.TextField(blank=True, default="", editable=False)
    search_body = models.TextField(blank=True, default="", editable=False)
    # The case's alive adoptions: how many, and the earliest date one of them gives. Kept in the
    # same transaction as every adoption write (Adoption.save/delete, and the bulk loaders through
    # refresh_adoption_counters), so lists sort by reuse and pages show it without counting.
    adoption_count = models.PositiveIntegerField(_("adoption count"), default=0, editable=False)
    first_adopted_on = models.DateField(_("first adopted"), null=True, blank=True, editable=False)
    # The case's answered questions that no moderator hid (refresh_question_count), so the API
    # and the change feed show it without counting.
    question_count = models.PositiveIntegerField(_("answered questions"), default=0, editable=False)
    # What the search facets count, as bits (cases/models/facets.py): one per value of the
    # case's sectors, innovation types and benefits, and of the classes of the organisations
    # that reused it, and whether anyone did. Kept in the same transaction as the writes of
    # terms, adoptions and organisations, so a search counts facets from the case rows alone.
    sector_mask = models.BigIntegerField(default=0, editable=False)
    innovation_type_mask = models.BigIntegerField(default=0, editable=False)
    benefit_mask = models.BigIntegerField(default=0, editable=False)
    adopter_size_mask = models.BigIntegerField(default=0, editable=False)
    adopter_centrality_mask = models.BigIntegerField(default=0, editable=False)
    adopter_region_mask = models.BigIntegerField(default=0, editable=False)
    adopter_county_mask = models.BigIntegerField(default=0, editable=False)
    adopter_county_mask_high = models.BigIntegerField(default=0, editable=False)
    has_adopters = models.BooleanField(default=False, editable=False)
    # The owner's facets (its region, size and centrality classes and its county's number), so
    # that a search counts them from the case rows alone too. Copied from the owner when a case
    # is saved with a new owner and when the owner's classes or county change (facets.py).
    owner_region = models.CharField(max_length=30, blank=True, default="", editable=False)
    owner_size_class = models.CharField(max_length=10, blank=True, default="", editable=False)
    owner_centrality_class = models.PositiveSmallIntegerField(null=True, editable=False)
    owner_county = models.CharField(max_length=4, null=True, editable=False)
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
                condition=PUBLIC,
            ),
            models.Index(
                fields=["draft_slug"], name="case_draft_slug", condition=~models.Q(draft_slug="")
            ),
            # What similar cases are ranked by (selectors.similar_cases): every published
            # case's term masks read from this index alone, a twentieth of the table.
            models.Index(
                fields=[
                    "-published_at",
                    "-id",
                    "sector_mask",
                    "innovation_type_mask",
                    "benefit_mask",
                ],
                name="case_public_similar",
                condition=PUBLIC,
            ),
            # The public list by title (the API's ordering=title), without sorting every case.
            models.Index(
                fields=["title", "-id"],
                name="case_public_title",
                condition=PUBLIC,
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("case-detail", kwargs={"slug": self.slug})

    # The owner the owner columns were copied from (facets.py), as loaded.
    _owner_as_loaded: int | None = None

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._owner_as_loaded = instance.__dict__.get("organisation_id")
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
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
        new_owner = self._state.adding or self.organisation_id != self._owner_as_loaded
        super().save(*args, **kwargs)
        if new_owner:
            refresh_owner_columns([self.pk])
            self._owner_as_loaded = self.organisation_id

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

    # One term written alone keeps its case's facet mask; bulk writes call refresh_term_masks.
    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            refresh_term_masks([self.case_id])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            refresh_term_masks([self.case_id])
        return result


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
        # Old entries only: a report is for moderators (CaseReport); the history says no more
        # than that one was handled, never who reported what (migration 0009 scrubbed them).
        REPORTED = "reported", _("Reported")
        REPORT_HANDLED = "report-handled", _("A report was handled by a moderator")
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
