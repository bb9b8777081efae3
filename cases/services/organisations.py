"""Organisations: saving one keeps everything derived from it right, and deleting is soft.

The admin and the registry import both write organisations through here, so that the
organisations below a changed one derive their geography again, and the cases that show its
name are found by it.
"""

from collections.abc import Iterable
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Adoption, Case, Organisation, User
from ..vocabularies import OrganisationKind
from .common import require
from .content import refresh_search_extra

# What a unit takes from the organisations above it (Organisation.derive_geography).
DERIVED = ("municipality_id", "county_id", "region", "size_class", "centrality_class")


def _may_manage(actor: User) -> bool:
    """Operators and moderators in the admin; commands act as nobody (actor None)."""
    return actor is None or permissions.is_moderator(actor)


def organisation_check(organisation: Organisation) -> None:
    """What the database would refuse, or what would break the parent chain, in words (a
    ValidationError by field). Forms call it before saving; organisation_save again."""
    errors: dict[str, list[str]] = {}
    others = Organisation.all_objects.exclude(pk=organisation.pk)
    if others.filter(slug=organisation.slug).exists():
        errors["slug"] = [_("Another organisation (perhaps a deleted one) has this slug.")]
    if (
        organisation.number
        and others.filter(kind=organisation.kind, number=organisation.number).exists()
    ):
        errors["number"] = [_("Another organisation (perhaps a deleted one) has it.")]
    node, seen = organisation.parent, set()
    while node is not None and node.pk not in seen:
        if organisation.pk is not None and node.pk == organisation.pk:
            errors["parent"] = [_("An organisation cannot be under itself.")]
            break
        seen.add(node.pk)
        node = node.parent
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_save(
    *, actor: User, organisation: Organisation, changed: Iterable[str] = ()
) -> Organisation:
    """Create or update an organisation. `changed` names the fields an update changed: a new
    name is searched for in its cases, and the organisations below it derive again."""
    require(_may_manage(actor))
    organisation_check(organisation)
    created = organisation.pk is None
    organisation.save()
    changed = set(changed)
    if not created and "name" in changed:
        owned_or_partnered = Q(organisation=organisation) | Q(partners=organisation)
        for case in (
            Case.all_objects.filter(owned_or_partnered).distinct().select_related("organisation")
        ):
            refresh_search_extra(case)
    if not created:
        refresh_descendants(roots=[organisation])
    return organisation


def refresh_descendants(*, roots: list[Organisation]) -> int:
    """Derive the organisations below the given ones again (units, whatever their depth); save
    those whose derived attributes changed. Returns how many were saved."""
    known: dict[int, Organisation] = {root.pk: root for root in roots}
    frontier = list(known)
    below: list[Organisation] = []
    # Municipalities and counties derive their attributes from themselves, so the walk stops there.
    while frontier:
        children = list(
            Organisation.all_objects.filter(parent_id__in=frontier)
            .exclude(kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.COUNTY])
            .exclude(pk__in=list(known))
        )
        for child in children:
            # The parent chain comes from memory, so deriving costs no query per level.
            child.parent = known[cast(int, child.parent_id)]  # chosen by parent_id__in
            known[child.pk] = child
        below.extend(children)
        frontier = [child.pk for child in children]
    refreshed = 0
    for organisation in below:
        before = tuple(getattr(organisation, name) for name in DERIVED)
        organisation.derive_geography()
        if tuple(getattr(organisation, name) for name in DERIVED) != before:
            organisation.save()
            refreshed += 1
    return refreshed


@transaction.atomic
def organisation_delete(*, actor: User, organisation: Organisation) -> Organisation:
    """Hide an organisation that owns nothing (soft: the row stays, `all_objects` sees it)."""
    require(_may_manage(actor))
    if Case.objects.filter(organisation=organisation).exists():
        raise ValidationError(_("It owns cases; archive or move them first."))
    if Organisation.objects.filter(parent=organisation).exists():
        raise ValidationError(_("Other organisations are under it."))
    if Adoption.objects.filter(organisation=organisation).exists():
        raise ValidationError(_("It has recorded reuse of cases."))
    now = timezone.now()
    organisation.deleted_at = organisation.updated_at = now
    # save() rather than update(), so that the change feed hears of it.
    organisation.save(update_fields=["deleted_at", "updated_at"])
    return organisation
