"""What the models share: soft deletion."""

from typing import Self

from django.db import models


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)


# A named base: the type checker follows a from_queryset class only when it has a name.
_AliveManagerBase = models.Manager.from_queryset(SoftDeleteQuerySet)


class AliveManager(_AliveManagerBase):
    """The default manager hides soft-deleted rows; `all_objects` still sees them."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)
