"""Every error is JSON with a status that says what went wrong, never a 500 for bad input."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..refusals import Conflict, field_messages


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy("The object has changed since you read it; fetch it again.")
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = gettext_lazy(
        "Send If-Match with the ETag of the case as you reviewed it, so that nothing changed "
        "since is approved."
    )
    default_code = "precondition_required"


def handle(exc, context):
    """DRF's handler, plus the services' own errors mapped to their statuses."""
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        # Django's limit on a request body (DATA_UPLOAD_MAX_MEMORY_SIZE), met while parsing.
        return Response(
            {"detail": _("The request is too large.")},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ValidationError):
        body = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in field_messages(exc).items()
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("You do not have permission to do this."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    return exception_handler(exc, context)


class CursorExpired(exceptions.APIException):
    """A cursor from before the change feed was restarted (cases/changefeed/read.py)."""

    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy(
        "This cursor is from before the database was restored, and the change feed started "
        "again. Sync again from the start, without since, and replace your copy with the result."
    )
    default_code = "cursor_expired"


class FeedUnavailable(exceptions.APIException):
    """The change log holds another server's transaction ids (a restore not completed)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy(
        "The change feed is paused: the database was restored and has not been prepared for "
        "the feed yet (manage.py after_restore). Nothing is served rather than something wrong. "
        "Try again later."
    )
    default_code = "feed_unavailable"
    # Seconds, sent as Retry-After (DRF's handler reads `wait`).
    wait = 60
