"""Request parsers of the API: DRF's, with input nested beyond Python's recursion limit refused as a 400."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - the input is nested too deeply.")) from None
