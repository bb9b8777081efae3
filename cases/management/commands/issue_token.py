"""Give a REST client a token: `issue_token EMAIL --organisation NUMBER_OR_SLUG [--moderator]`.

Creates a service account if the address has none (no usable password: the account is for the
API), makes it an editor of the organisation, optionally a moderator, and prints the key alone
on the last line so scripts can take it with `tail -n 1`.

An address may already have an account that someone registered on the site, confirmed or not:
perhaps a guessable service address registered in advance by someone who knows its password.
Such an account gets no key unless the operator passes --force, which takes it over first (its
password becomes unusable, its sessions end and its API tokens are revoked). An existing
account never gains a role silently: a new membership, editor or moderator needs --promote
(or --force), and the command lists everything it changed.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cases import permissions, services
from cases.models import Membership, Organisation, User
from cases.vocabularies import MembershipRole, MembershipStatus


class Command(BaseCommand):
    help = "Create an API token for EMAIL as an editor of an organisation; prints the key last."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--organisation", required=True, help="The organisation's official number or slug."
        )
        parser.add_argument("--moderator", action="store_true", help="Also make them a moderator.")
        parser.add_argument("--name", default="issued by an operator", help="The token's name.")
        parser.add_argument(
            "--promote",
            action="store_true",
            help="Let an existing service account gain a role (a membership, editor, moderator).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Take over an account someone registered on the site, confirmed or not: its "
                "password is made unusable, its sessions end and its API tokens are revoked; "
                "then it is confirmed and promoted like a new account."
            ),
        )

    @transaction.atomic
    def handle(self, *args, email, organisation, moderator, name, promote, force, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an email address.") from None
        target = _organisation(organisation)
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, email_verified_at=timezone.now(), service_account=True)
            user.set_unusable_password()
            user.save()
            _promote(user, target, moderator)
            role = "editor and moderator" if moderator else "editor"
            self.stdout.write(f"Created {email}, {role} of {target.name}.")
        else:
            changes = self._existing(
                user, target, moderator=moderator, promote=promote, force=force
            )
            if changes:
                self.stdout.write(f"Found {email}; changed:")
                for change in changes:
                    self.stdout.write(f"- {change}")
            else:
                role = "editor and moderator" if permissions.is_moderator(user) else "editor"
                self.stdout.write(
                    f"Found {email}, already {role} of {target.name}; nothing changed."
                )
        _token, key = services.api_token_create(user=user, name=name)
        self.stdout.write(key)

    def _existing(self, user, target, *, moderator: bool, promote: bool, force: bool) -> list:
        """Check and change an account that already exists; returns what changed."""
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated; a token for it would not work.")
        changes = []
        if not (user.service_account and user.email_verified_at):
            if not force:
                state = "never confirmed" if user.email_verified_at is None else "confirmed"
                raise CommandError(
                    f"{user.email} already has an account that someone registered on the site "
                    f"and {state}; whoever registered it knows its password. Nothing changed. "
                    "To take the account over (its password made unusable, its sessions ended "
                    "and its API tokens revoked), run again with --force."
                )
            taken = services.user_take_over(user=user)
            user.refresh_from_db()
            if taken["password"]:
                changes.append("password made unusable, so every session it had has ended")
            revoked = taken["tokens_revoked"]
            changes.append(f"{revoked} API token{'' if revoked == 1 else 's'} revoked")
            if taken["confirmed"]:
                changes.append("address confirmed (you vouch for it)")
            changes.append("now a service account")
        promotions = _promotions(user, target, moderator)
        if promotions and not (promote or force):
            raise CommandError(
                f"This would make {user.email} {' and '.join(promotions)}. Nothing changed. "
                "Run again with --promote to do so."
            )
        _promote(user, target, moderator)
        return changes + [f"made {promotion}" for promotion in promotions]


def _organisation(number_or_slug: str) -> Organisation:
    matches = list(Organisation.objects.filter(number=number_or_slug)) or list(
        Organisation.objects.filter(slug=number_or_slug)
    )
    if not matches:
        raise CommandError(f"No organisation has the number or slug “{number_or_slug}”.")
    if len(matches) > 1:
        names = ", ".join(f"{o.name} ({o.get_kind_display()})" for o in matches)
        raise CommandError(f"“{number_or_slug}” is ambiguous ({names}); use the slug.")
    return matches[0]


def _promotions(user, target: Organisation, moderator: bool) -> list[str]:
    """The roles `_promote` would add, in words."""
    promotions = []
    membership = Membership.objects.filter(user=user, organisation=target).first()
    if membership is None:
        promotions.append(f"editor of {target.name}")
    elif membership.status != MembershipStatus.ACTIVE:
        promotions.append(f"editor of {target.name} (had asked to join)")
    elif membership.role != MembershipRole.EDITOR:
        promotions.append(f"editor of {target.name} (was {membership.role})")
    if moderator and not permissions.is_moderator(user):
        promotions.append("a moderator")
    return promotions


def _promote(user, target: Organisation, moderator: bool) -> None:
    """Make the user an active editor of the organisation, and a moderator if asked."""
    services.membership_grant(user=user, organisation=target, role=MembershipRole.EDITOR)
    if moderator:
        services.moderator_grant(user=user)
