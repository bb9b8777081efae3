"""Every error is a problem (RFC 9457, cases/api/problems.py) with a status that says what went
wrong, never a 500 for bad input."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler

from ..refusals import Conflict
from .problems import MEDIA_TYPE, field_errors, problem
from .serializers import client_field


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


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = gettext_lazy(
        "This Idempotency-Key was used for a request with another body. Use a new key for a "
        "new request."
    )
    default_code = "idempotency_key_reused"


def _django_field_errors(error: ValidationError) -> list[dict]:
    """A service's ValidationError as `{field, code, message}` (null field: the whole input)."""
    found = []
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(None, error.error_list)]
    for field, errors in items:
        for item in errors:
            for message in item.messages:
                found.append(
                    {
                        "field": None if field in (None, "__all__") else client_field(field),
                        "code": item.code or "invalid",
                        "message": message,
                    }
                )
    return found


def _as_api_exception(exc):
    """The services' and Django's errors as DRF's, with the message clients read."""
    if isinstance(exc, Conflict):
        return _Conflict(exc.message)
    if isinstance(exc, RequestDataTooBig):
        # Django's limit on a request body (DATA_UPLOAD_MAX_MEMORY_SIZE), met while parsing.
        return _TooLarge()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or _("You do not have permission to do this."))
    if isinstance(exc, Http404):
        return exceptions.NotFound(_("Not found."))
    if isinstance(exc, exceptions.Throttled):
        # DRF's own words are half English in bokmål; these are whole sentences in both.
        wait = int(exc.wait or 1)
        exc.detail = exceptions.ErrorDetail(
            ngettext(
                "Too many requests. Try again in %d second.",
                "Too many requests. Try again in %d seconds.",
                wait,
            )
            % wait,
            code="throttled",
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        exc.detail = exceptions.ErrorDetail(
            _("Send the body as JSON, with Content-Type: application/json."),
            code="unsupported_media_type",
        )
    return exc


class _Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class _TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "request_too_large"


def handle(exc, context):
    """DRF's handler (its headers: Retry-After, WWW-Authenticate), with every error answered as
    a problem, the services' own errors mapped to their statuses."""
    request = context.get("request")
    errors = None
    if isinstance(exc, ValidationError):
        errors = _django_field_errors(exc)
        exc = exceptions.ValidationError()
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, detail = "invalid", _("The input was refused: see errors.")
        if errors is None:
            errors = field_errors(exc.detail)
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
    response.data = problem(
        response.status_code,
        str(code),
        str(detail),
        instance=request.path if request is not None else None,
        errors=errors,
    )
    response.content_type = MEDIA_TYPE
    if request is not None:
        # An error is JSON whatever the client asked for (the browsable API included).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = MEDIA_TYPE
    return response


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
