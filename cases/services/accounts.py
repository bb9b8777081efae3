"""Every write about people: registration, email verification, memberships and API tokens.

Like the case services, each takes keyword arguments, checks permissions in
`cases.permissions`, validates before it writes and runs in one transaction. Email goes
through `cases.notifications.queue`, so it is sent only if the change commits.

Registration never tells the caller whether an address already had an account: the page
after "register" is the same either way, and the owner of the address is told by email.
"""

import datetime
import hashlib
import secrets
from typing import cast

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, permissions
from ..links import VERIFY_EMAIL_SALT, verify_email_max_age
from ..models import MODERATORS_GROUP, ApiToken, Membership, Organisation, User
from ..refusals import Conflict
from ..vocabularies import MembershipRole, MembershipStatus

# A token's last_used_at is written at most this often, so busy clients do not write per request.
TOKEN_USE_RESOLUTION = datetime.timedelta(minutes=1)
TOKEN_KEY_BYTES = 32

# A CharField always has a max_length; the field API types it as optional.
FULL_NAME_MAX_LENGTH = cast(int, User._meta.get_field("full_name").max_length)
TOKEN_NAME_MAX_LENGTH = cast(int, ApiToken._meta.get_field("name").max_length)


class VerificationError(ValidationError):
    """A verification link that does not work. `code` is "invalid", "expired" or "used"."""


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))


def _normalise_email(email: str) -> str:
    return User.objects.normalize_email((email or "").strip()).lower()


def email_domain(email: str) -> str:
    """The part after the last "@", lower-cased ("" if there is none)."""
    _local, at, domain = (email or "").strip().rpartition("@")
    return domain.lower().rstrip(".") if at else ""


# Registration and verification ---------------------------------------------------------------


def _queue_verification(user: User) -> None:
    notifications.queue_with_link(
        to=[user.email], template="verify_email", params={"user": user.pk}
    )


def _queue_already_registered(user: User) -> None:
    """Tell an address's owner that someone tried to register it again (the email says how
    to get in; see notifications._verify_email_existing)."""
    notifications.queue_with_link(
        to=[user.email], template="verify_email_existing", params={"user": user.pk}
    )


@transaction.atomic
def user_register(*, email: str, full_name: str, password: str) -> User | None:
    """Register a person and email them a verification link.

    The new user can log in only after following the link (`user_verify_email`). If the
    address already has an account nothing about it changes, and its owner is emailed a note
    with a way in (see `_queue_already_registered`). Returns the new user, or None when the
    address was taken; callers must answer both cases the same way.
    """
    email = _normalise_email(email)
    full_name = " ".join((full_name or "").split())
    errors: dict[str, list[str]] = {}
    if not email or not email_domain(email):
        errors["email"] = [_("Enter a valid email address.")]
    if not full_name:
        errors["full_name"] = [_("Enter your name.")]
    elif len(full_name) > FULL_NAME_MAX_LENGTH:
        errors["full_name"] = [_("The name is too long.")]
    if errors:
        raise ValidationError(errors)
    try:
        password_validation.validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error

    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = User(email=email, full_name=full_name, email_verified_at=None)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.full_clean(exclude=["password"])
                user.save()
        except (IntegrityError, ValidationError):
            # Someone registered the same address a moment ago: treat it as taken.
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                raise
        else:
            _queue_verification(user)
            return user
    else:
        # Hash anyway, so that the answer takes as long as for a new address.
        make_password(password)
    if existing.is_active:
        _queue_already_registered(existing)
    return None


def verification_token_user(token: str) -> User | None:
    """The unverified, active user a verification token names, even if it has expired.

    For offering a new link from an expired one: the old link reached the same address.
    """
    try:
        data = signing.TimestampSigner(salt=VERIFY_EMAIL_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True, email_verified_at__isnull=True).first()
    if user is None or user.email.lower() != str(data.get("e", "")).lower():
        return None
    return user


@transaction.atomic
def user_resend_verification(*, user: User | None) -> None:
    """Send a new verification link to an active user who has not confirmed their address.

    Callers decide who may ask (someone who just gave the right password, or who holds an
    expired link); for anyone else this does nothing.
    """
    if user is not None and user.is_active and user.email_verified_at is None:
        _queue_verification(user)


def _join_by_domain(user: User) -> list[Membership]:
    """Make the user an active member of every organisation that lists their email domain.

    Exact match of the whole domain, case-insensitive: `sub.oslo.kommune.no` and
    `oslo.kommune.no.evil.com` do not match `oslo.kommune.no`.
    """
    domain = email_domain(user.email)
    if not domain:
        return []
    # JSON `contains` is not available on SQLite; narrow with a text match, then compare exactly.
    candidates = Organisation.objects.filter(email_domains__icontains=domain)
    matching = [
        organisation
        for organisation in candidates
        if domain
        in {
            str(entry).strip().lower().lstrip("@").rstrip(".")
            for entry in (organisation.email_domains or [])
        }
    ]
    return [
        membership_grant(user=user, organisation=organisation, role=MembershipRole.MEMBER)
        for organisation in matching
    ]


def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    """An active membership with at least `role`, given by the site itself (an address in the
    organisation's domain) or by an operator (`issue_token`): made, or activated and raised to
    the role; a role above it is kept. Not for people acting on the site: they ask and are
    approved (membership_request, membership_approve)."""
    now = timezone.now()
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": role, "status": MembershipStatus.ACTIVE, "approved_at": now},
    )
    raised = role == MembershipRole.EDITOR and membership.role != MembershipRole.EDITOR
    if not created and (raised or membership.status != MembershipStatus.ACTIVE):
        membership.role = MembershipRole.EDITOR if raised else membership.role
        membership.status = MembershipStatus.ACTIVE
        membership.approved_at = now
        membership.save(update_fields=["role", "status", "approved_at"])
    permissions.forget(user)
    return membership


def moderator_grant(*, user: User) -> None:
    """An operator makes the user a moderator (`issue_token --moderator`)."""
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    permissions.forget(user)


@transaction.atomic
def user_mark_email_verified(*, user: User) -> User:
    """Record that the user controls their address, and join organisations by its domain.

    For flows that proved ownership some other way (a password reset link was followed).
    Does nothing to a user who is already verified.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        _join_by_domain(user)
    return user


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Confirm a user's address from the link in the verification email.

    Raises VerificationError with code "invalid" (tampered, unknown user, other address),
    "expired" (older than `verify_email_max_age()`) or "used" (the address is already confirmed).
    On success the user may log in and is a member of every organisation matching the domain.
    """
    signer = signing.TimestampSigner(salt=VERIFY_EMAIL_SALT)
    try:
        data = signer.unsign_object(token, max_age=verify_email_max_age())
    except signing.SignatureExpired as error:
        raise VerificationError(
            _("This confirmation link has expired. Ask for a new one below."), code="expired"
        ) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise VerificationError(
            _("This confirmation link is not valid. Check that you copied all of it."),
            code="invalid",
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise VerificationError(_("This confirmation link is not valid."), code="invalid")
    user = User.objects.select_for_update().filter(pk=data["u"], is_active=True).first()
    if user is None or user.email.lower() != str(data.get("e", "")).lower():
        raise VerificationError(_("This confirmation link is not valid."), code="invalid")
    if user.email_verified_at is not None:
        raise VerificationError(
            _("This link has already been used. Your email address is confirmed; log in."),
            code="used",
        )
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    _join_by_domain(user)
    return user


@transaction.atomic
def user_take_over(*, user: User) -> dict[str, int | bool]:
    """Turn an account someone registered into an operator's service account.

    Whoever registered it loses every way in: the password becomes unusable, which also ends
    every session it has (Django binds a session to the password), and every API token is
    revoked. The address counts as confirmed, since the operator vouches for it. Memberships
    and roles are left as they are. Returns what changed: `tokens_revoked` (a count),
    `password` and `confirmed` (whether the password was usable / the address unconfirmed).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    changed: dict[str, int | bool] = {
        "tokens_revoked": user.api_tokens.revoke(),
        "password": user.has_usable_password(),
        "confirmed": user.email_verified_at is None,
    }
    user.set_unusable_password()
    user.service_account = True
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save(update_fields=["password", "service_account", "email_verified_at"])
    return changed


# Memberships ---------------------------------------------------------------------------------


def _manager_emails(organisation_id: int) -> list[str]:
    """Who decides on requests to join: the organisation's editors and the moderators."""
    return sorted(
        set(notifications._editor_emails(organisation_id)) | set(notifications._moderator_emails())
    )


def _locked_membership(membership: Membership) -> Membership:
    locked = (
        Membership.objects.select_for_update()
        .select_related("user", "organisation")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None:
        raise Conflict(_("This membership no longer exists."))
    return locked


def _forget(*users: User | None) -> None:
    for user in users:
        if user is not None:
            permissions.forget(user)


def _forget_members(given: Membership, locked: Membership, actor: User) -> None:
    """Drop cached roles on every user object in play: the caller may hold its own copy of the
    member (`given.user`), and the actor may be the member."""
    given_user = given.user if Membership.user.is_cached(given) else None
    _forget(given_user, locked.user, actor)


def _is_last_editor(membership: Membership) -> bool:
    return (
        membership.status == MembershipStatus.ACTIVE
        and membership.role == MembershipRole.EDITOR
        and not Membership.objects.filter(
            organisation_id=membership.organisation_id,
            role=MembershipRole.EDITOR,
            status=MembershipStatus.ACTIVE,
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_request(*, actor: User, organisation: Organisation) -> Membership:
    """Ask to join an organisation: a pending membership its editors and moderators decide on.

    Only verified, logged-in users may ask, once per organisation.
    """
    _require(
        bool(actor and actor.is_authenticated and actor.is_active and actor.email_verified_at),
        _("Log in with a confirmed email address to ask to join an organisation."),
    )
    if organisation.deleted_at is not None:
        raise ValidationError({"organisation": [_("This organisation no longer exists.")]})
    existing = Membership.objects.filter(user=actor, organisation=organisation).first()
    if existing is not None:
        if existing.status == MembershipStatus.PENDING:
            message = _("You have already asked to join %s.") % organisation
        else:
            message = _("You are already a member of %s.") % organisation
        raise ValidationError({"organisation": [message]})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=actor,
                organisation=organisation,
                role=MembershipRole.MEMBER,
                status=MembershipStatus.PENDING,
            )
    except IntegrityError as error:
        raise ValidationError(
            {"organisation": [_("You have already asked to join %s.") % organisation]}
        ) from error
    tell_editors_of_request(membership)
    _forget(actor)
    return membership


def tell_editors_of_request(membership: Membership) -> None:
    """Email the organisation's editors that someone waits to join, with a link to approve."""
    organisation = membership.organisation
    notifications.queue(
        to=_manager_emails(organisation.pk),
        template="membership_requested",
        context={
            "membership": membership,
            "organisation": organisation,
            "requester": membership.user,
            "link": notifications.site_url(
                reverse("organisation-members", kwargs={"slug": organisation.slug})
            ),
        },
    )


def _queue_decision(membership: Membership, *, approved: bool, reason: str = "") -> None:
    notifications.queue(
        to=[membership.user.email] if membership.user.is_active else [],
        template="membership_decided",
        context={
            "membership": membership,
            "organisation": membership.organisation,
            "user": membership.user,
            "approved": approved,
            "reason": reason,
            "link": notifications.site_url(reverse("profile")),
        },
    )


@transaction.atomic
def membership_approve(*, actor: User, membership: Membership) -> Membership:
    """Accept a pending request: the user becomes an active member. Editors and moderators."""
    _require(permissions.can_manage_members(actor, membership.organisation_id))
    locked = _locked_membership(membership)
    if locked.status != MembershipStatus.PENDING:
        raise Conflict(_("This request has already been decided."))
    locked.status = MembershipStatus.ACTIVE
    locked.approved_at = timezone.now()
    locked.approved_by = actor
    locked.save(update_fields=["status", "approved_at", "approved_by"])
    _queue_decision(locked, approved=True)
    _forget_members(membership, locked, actor)
    return locked


@transaction.atomic
def membership_decline(*, actor: User, membership: Membership, reason: str = "") -> None:
    """Turn down a pending request. The request is removed (the user may ask again later)
    and the user is told, with the reason if one is given. Editors and moderators."""
    _require(permissions.can_manage_members(actor, membership.organisation_id))
    locked = _locked_membership(membership)
    if locked.status != MembershipStatus.PENDING:
        raise Conflict(_("This request has already been decided."))
    reason = (reason or "").strip()[:1000]
    _queue_decision(locked, approved=False, reason=reason)
    locked.delete()
    _forget_members(membership, locked, actor)


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Make an active member an editor, or an editor a member. Editors and moderators.

    An organisation keeps at least one editor unless a moderator says otherwise.
    """
    _require(permissions.can_manage_members(actor, membership.organisation_id))
    if role not in MembershipRole.values:
        raise ValidationError({"role": [_("Choose member or editor.")]})
    locked = _locked_membership(membership)
    if locked.status != MembershipStatus.ACTIVE:
        raise Conflict(_("Approve the request before changing the role."))
    if locked.role == role:
        return locked
    if (
        role != MembershipRole.EDITOR
        and _is_last_editor(locked)
        and not permissions.is_moderator(actor)
    ):
        raise Conflict(
            _("The organisation needs at least one editor. Make someone else editor first.")
        )
    locked.role = role
    locked.save(update_fields=["role"])
    _forget_members(membership, locked, actor)
    return locked


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """End a membership or withdraw a request: the organisation's editors and moderators,
    or the member themselves. The last editor cannot leave unless a moderator removes them."""
    _require(
        membership.user_id == getattr(actor, "pk", None)
        or permissions.can_manage_members(actor, membership.organisation_id)
    )
    locked = _locked_membership(membership)
    if _is_last_editor(locked) and not permissions.is_moderator(actor):
        raise Conflict(
            _("The organisation needs at least one editor. Make someone else editor first.")
        )
    locked.delete()
    _forget_members(membership, locked, actor)


# API tokens ----------------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a named API token for the user. Returns (token, key).

    Only a SHA-256 hash of the key and its first eight characters are stored: the key itself
    exists only in the return value, to be shown once.
    """
    _require(
        bool(user and user.is_authenticated and user.is_active and user.email_verified_at),
        _("Log in with a confirmed email address to create API tokens."),
    )
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. what will use it.")]})
    max_length = TOKEN_NAME_MAX_LENGTH
    if len(name) > max_length:
        raise ValidationError(
            {"name": [_("At most %(limit)d characters.") % {"limit": max_length}]}
        )
    key = secrets.token_urlsafe(TOKEN_KEY_BYTES)
    token = ApiToken.objects.create(user=user, name=name, key_hash=_hash_key(key), prefix=key[:8])
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token for good. Only its owner may; revoking twice changes nothing."""
    _require(bool(actor and actor.is_authenticated) and token.user_id == actor.pk)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user a key belongs to, or None (unknown, revoked, or the user is inactive).

    Records when the token was last used, at most once a minute.
    """
    if not isinstance(key, str) or not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at <= now - TOKEN_USE_RESOLUTION:
        # Conditional, so concurrent requests write once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOKEN_USE_RESOLUTION)
        ).update(last_used_at=now)
    return token.user
