"""Request body parsers: JSON only (a form or multipart body is 415), with bodies that would
crash the decoder refused as input.

One body format keeps one meaning per request: in a form, an empty list cannot be sent, null
becomes the text "None", and nested values (links) cannot be said at all."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# What the REST framework's parser puts before the decoder's own words, untranslated.
PARSE_ERROR_PREFIX = "JSON parse error - "


class JSONParser(parsers.JSONParser):
    """JSON nested deeper than the decoder follows ("[[[[…") is malformed input: 400, not a
    RecursionError and a 500. A body that is not JSON is said so in the client's language,
    with where the decoder stopped."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError() from None
        except ParseError as error:
            where = str(error.detail).removeprefix(PARSE_ERROR_PREFIX)
            raise ParseError(
                _("The body is not valid JSON (%(error)s).") % {"error": where}
            ) from None


PARSERS = [JSONParser]
