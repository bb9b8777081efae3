"""Give a REST client a token: `issue_token EMAIL --organisation NUMBER_OR_SLUG [--moderator]`.

Creates the user if needed (with no usable password: the account is for the API), makes them
an editor of the organisation, optionally a moderator, and prints the key alone on the last
line so scripts can take it with `tail -n 1`.
"""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import MODERATORS_GROUP, Membership, Organisation, User
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

    @transaction.atomic
    def handle(self, *args, email, organisation, moderator, name, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an email address.") from None
        matches = list(Organisation.objects.filter(number=organisation)) or list(
            Organisation.objects.filter(slug=organisation)
        )
        if not matches:
            raise CommandError(f"No organisation has the number or slug “{organisation}”.")
        if len(matches) > 1:
            names = ", ".join(f"{o.name} ({o.get_kind_display()})" for o in matches)
            raise CommandError(f"“{organisation}” is ambiguous ({names}); use the slug.")
        target = matches[0]
        user, created = User.objects.get_or_create(
            email=email, defaults={"email_verified_at": timezone.now()}
        )
        if not user.is_active:
            raise CommandError(f"{email} is deactivated; a token for it would not work.")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        elif not user.email_verified_at:
            # The operator vouches for the address.
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        Membership.objects.update_or_create(
            user=user,
            organisation=target,
            defaults={
                "role": MembershipRole.EDITOR,
                "status": MembershipStatus.ACTIVE,
                "approved_at": timezone.now(),
            },
        )
        if moderator:
            user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
        _token, key = services.api_token_create(user=user, name=name)
        verb = "Created" if created else "Found"
        role = "editor and moderator" if moderator else "editor"
        self.stdout.write(f"{verb} {email}, {role} of {target.name}.")
        self.stdout.write(key)
