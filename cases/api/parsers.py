"""Request body parsers: JSON only (a form or multipart body is 415), with bodies that would
crash the decoder refused as input.

One body format keeps one meaning per request: in a form, an empty list cannot be sent, null
becomes the text "None", and nested values (links) cannot be said at all."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """JSON nested deeper than the decoder follows ("[[[[…") is malformed input: 400, not a
    RecursionError and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError() from None


PARSERS = [JSONParser]
