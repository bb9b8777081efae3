"""Reuse records, the counters they keep on cases, and spread activities."""

from typing import Any, Self

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..vocabularies import AdoptionMode, AdoptionStatus, CaseStatus, Channel, SpreadKind
from .base import SoftDeleteQuerySet
from .cases import Case
from .facets import refresh_adopter_masks
from .organisations import Organisation


class AdoptionQuerySet(SoftDeleteQuerySet):
    def public(self) -> Self:
        """Adoptions that anyone may see: alive, of a published case."""
        return self.filter(
            deleted_at__isnull=True,
            case__status=CaseStatus.PUBLISHED,
            case__deleted_at__isnull=True,
            organisation__deleted_at__isnull=True,
        )


_AdoptionManagerBase = models.Manager.from_queryset(AdoptionQuerySet)


class AdoptionManager(_AdoptionManagerBase):
    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Adoption(models.Model):
    """A reuse record: an organisation copied or adapted someone else's case."""

    # Set on the instance by the change feed's signal handlers (cases.changefeed.record).
    _feed_was_alive: bool | None

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

    def save(self, *args: Any, **kwargs: Any) -> None:
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
            refresh_adopter_masks({self.case_id, *(before[:1] if before else ())})

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            before = (
                Adoption.all_objects.filter(pk=self.pk)
                .values_list("case_id", "deleted_at", "adopted_on")
                .first()
            )
            result = super().delete(*args, **kwargs)
            _count_adoption(before, None)
            if before is not None:
                refresh_adopter_masks([before[0]])
        return result


# Written only by the adoption writes below and by refresh_adoption_counters.


def _first_adopted_on():
    """The earliest date among the case's alive adoptions (OuterRef: the case row)."""
    return models.Subquery(
        Adoption.all_objects.filter(
            case=models.OuterRef("pk"), deleted_at__isnull=True, adopted_on__isnull=False
        )
        .order_by("adopted_on")
        .values("adopted_on")[:1]
    )


def _last_adoption_write():
    """The case's `updated_at`, or the last write of one of its adoptions (a withdrawal too)
    when that is later: what counters counted again from the table changed at the latest then
    (OuterRef: the case row)."""
    last = (
        Adoption.all_objects.filter(case=models.OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(last=models.Max("updated_at"))
        .values("last")
    )
    return Greatest(F("updated_at"), Coalesce(models.Subquery(last), F("updated_at")))


def _count_adoption(before, after) -> None:
    """Bring the counters of the case(s) involved up to date after one adoption row changed.

    `before` and `after` are (case id, deleted_at, adopted_on) of the row, None where it did
    not exist. Counts move by F() updates, and the case's `updated_at` with them: the case as
    lists and the API show it changed (clients syncing with `updated_since` read it again). Where the earliest date may have gone, it is read
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
        Case.all_objects.filter(pk=now[0]).update(
            first_adopted_on=_first_adopted_on(), updated_at=timezone.now()
        )
        return
    if was is not None:
        changes: dict[str, Combinable] = {
            "adoption_count": F("adoption_count") - 1,
            "updated_at": Value(timezone.now()),
        }
        if was[2] is not None:
            _lock_cases([was[0]])
            # Only when the withdrawn date was the earliest does the earliest change.
            changes["first_adopted_on"] = models.Case(
                models.When(first_adopted_on=was[2], then=_first_adopted_on()),
                default=F("first_adopted_on"),
            )
        Case.all_objects.filter(pk=was[0]).update(**changes)
    if now is not None:
        changes = {"adoption_count": F("adoption_count") + 1, "updated_at": Value(timezone.now())}
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
    """Count every case's adoptions again from the adoptions table, and set its adopter masks
    (cases/models/facets.py): for writes that go around Adoption.save (bulk loads, imports,
    queryset updates). All cases take a fixed number of statements whatever their number;
    `case_ids` limits it to those cases."""
    refresh_adopter_masks(case_ids)
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
            updated_at=_last_adoption_write(),
        )
        return
    quote = connection.ops.quote_name
    case, adoption = quote(Case._meta.db_table), quote(Adoption._meta.db_table)
    with connection.cursor() as cursor:
        # Counters left on a case that has no adoption row at all.
        cursor.execute(
            f"UPDATE {case} SET adoption_count = 0, first_adopted_on = NULL "
            f"WHERE (adoption_count <> 0 OR first_adopted_on IS NOT NULL) AND NOT EXISTS "
            f"(SELECT 1 FROM {adoption} a WHERE a.case_id = {case}.id)"
        )
        # Every other case in one pass over the adoptions, rewriting only the rows whose
        # counters or time change (a row written is a row version and its index entries).
        cursor.execute(
            f"UPDATE {case} SET adoption_count = counted.n, first_adopted_on = counted.first_on, "
            f"updated_at = CASE WHEN counted.last > {case}.updated_at THEN counted.last "
            f"ELSE {case}.updated_at END "
            f"FROM (SELECT case_id, COUNT(*) FILTER (WHERE deleted_at IS NULL) AS n, "
            f"MIN(adopted_on) FILTER (WHERE deleted_at IS NULL) AS first_on, "
            f"MAX(updated_at) AS last FROM {adoption} GROUP BY case_id) AS counted "
            f"WHERE {case}.id = counted.case_id AND ({case}.adoption_count <> counted.n "
            f"OR {case}.first_adopted_on IS DISTINCT FROM counted.first_on "
            f"OR counted.last > {case}.updated_at)"
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
