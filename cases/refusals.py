"""Refusals: what a service raises when it will not act, and how every door says so.

A service refuses with Django's PermissionDenied (not allowed), ValidationError (bad input),
Conflict (the object's state no longer fits: someone else acted first) or, for an object that
went away meanwhile, ObjectDoesNotExist. Pages, the admin and the API all turn these into words
here, so a refusal reads the same whichever door it came through.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.translation import gettext


class Conflict(Exception):
    """The action no longer fits the object's state (someone else acted first). API: 409."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


REFUSALS = (PermissionDenied, ValidationError, Conflict, ObjectDoesNotExist)


def messages_of(error: Exception) -> list[str]:
    """The refusal in words, one message per problem."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, Conflict):
        return [error.message]
    if isinstance(error, ObjectDoesNotExist):
        return [gettext("It no longer exists.")]
    return [str(error) or gettext("You do not have permission to do this.")]


def field_messages(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field; `__all__` for those about the whole input."""
    if hasattr(error, "error_dict"):
        return dict(error.message_dict)
    return {"__all__": list(error.messages)}


def tell(request, error: Exception) -> None:
    """Show a refusal on the next page as messages in the user's language."""
    level = messages.WARNING if isinstance(error, Conflict) else messages.ERROR
    for message in messages_of(error):
        messages.add_message(request, level, message)


def onto_form(form, error: ValidationError, *, renames: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: each message on the field it is about (a
    service's field name may have another name in the form: `renames`), the rest on the form."""
    renames = renames or {}
    for field, field_errors in field_messages(error).items():
        target = renames.get(field, field)
        for message in field_errors:
            form.add_error(target if target in form.fields else None, message)
