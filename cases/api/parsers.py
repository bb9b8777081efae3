"""Request body parsers: DRF's, with bodies that would crash the decoder refused as input."""

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


PARSERS = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
