"""A first login through an identity provider: the membership its mapping gives.

Users are keyed by provider and subject (allauth's SocialAccount), never by email alone; what
an identity provider asserts decides only which organisation a new user speaks for, and only
through a mapping an operator made (`IdentitySource`).
"""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import IdentitySource, Membership, User
from ..vocabularies import IdentitySourceKind, MembershipStatus
from .accounts import (
    _queue_verification,
    email_domain,
    membership_grant,
    tell_editors_of_request,
)

# Ansattporten names the organisations someone acts for as "0192:<organisation number>".
NORWEGIAN_REGISTRY_PREFIX = "0192:"


def identity_claims(extra_data: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of a login: the ID token's, overridden by the userinfo endpoint's."""
    claims: dict[str, Any] = {}
    for part in ("id_token", "userinfo"):
        value = extra_data.get(part)
        if isinstance(value, Mapping):
            claims.update(value)
    if not claims:
        claims.update(extra_data)
    return claims


def organisation_numbers(claims: Mapping[str, Any]) -> list[str]:
    """The organisation numbers a login speaks for: an `orgno` claim, or Ansattporten's
    `authorization_details` reportees."""
    numbers: list[str] = []
    if isinstance(claims.get("orgno"), str):
        numbers.append(claims["orgno"])
    details = claims.get("authorization_details")
    for detail in details if isinstance(details, list) else []:
        reportees = detail.get("reportees") if isinstance(detail, Mapping) else None
        for reportee in reportees if isinstance(reportees, list) else []:
            identifier = str(reportee.get("ID", "")) if isinstance(reportee, Mapping) else ""
            if identifier.startswith(NORWEGIAN_REGISTRY_PREFIX):
                numbers.append(identifier.removeprefix(NORWEGIAN_REGISTRY_PREFIX))
    return [number.strip() for number in numbers if number.strip()]


def _email_verified(claims: Mapping[str, Any]) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def identity_source_match(*, provider_id: str, claims: Mapping[str, Any]) -> IdentitySource | None:
    """The mapping a login falls under, strongest first: tenant, organisation number, then the
    email domain (only when the provider says it verified the address)."""
    sources = IdentitySource.objects.filter(
        provider_id=provider_id, organisation__deleted_at__isnull=True
    ).select_related("organisation")
    tenant = str(claims.get("tid") or "").strip().lower()
    if tenant:
        found = sources.filter(kind=IdentitySourceKind.TENANT, value=tenant).first()
        if found is not None:
            return found
    numbers = organisation_numbers(claims)
    if numbers:
        by_number = sources.filter(
            kind=IdentitySourceKind.ORGANISATION_NUMBER, value__in=numbers
        ).order_by("value")
        if (first := by_number.first()) is not None:
            return first
    domain = email_domain(str(claims.get("email") or ""))
    if domain and _email_verified(claims):
        return sources.filter(kind=IdentitySourceKind.EMAIL_DOMAIN, value=domain).first()
    return None


@transaction.atomic
def identity_first_login(
    *, user: User, provider_id: str, claims: Mapping[str, Any]
) -> Membership | None:
    """Give a user who has just signed up through a provider the membership its mapping says:
    active with the mapping's role, or pending for the organisation's editors to approve (they
    are told, as for a request to join). Unmapped: no membership.

    The address counts as confirmed when the provider says it verified it, or when it came from
    a tenant or organisation number an operator mapped; otherwise (an address the person typed
    in) the user is sent a confirmation link, as after registering.
    """
    source = identity_source_match(provider_id=provider_id, claims=claims)
    # A mapped tenant or organisation vouches for the addresses it hands out, not for one
    # the person typed in.
    vouched = (
        source is not None
        and source.kind != IdentitySourceKind.EMAIL_DOMAIN
        and str(claims.get("email") or "").strip().lower() == user.email.lower()
    )
    if user.email_verified_at is None:
        if _email_verified(claims) or vouched:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        else:
            _queue_verification(user)
    if source is None:
        return None
    organisation = source.organisation
    if source.status == MembershipStatus.ACTIVE:
        return membership_grant(user=user, organisation=organisation, role=source.role)
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": source.role, "status": MembershipStatus.PENDING},
    )
    if created:
        tell_editors_of_request(membership)
    return membership
