"""The API's JSON parser: Python's `json` takes bodies that would fail further in (issue 14).

A body nested 100,000 deep made the decoder raise RecursionError (a 500); a NUL or a lone
surrogate in any string reached PostgreSQL, which refuses both. Each is a 400 here, before
any serializer sees the data (the rules: `civicworks.inputs`).
"""

import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from civicworks.inputs import NUL

# Deeper than any body our API takes (a report is one level, its photos list two).
MAX_DEPTH = 20
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None
        _check(data)
        return data


def _check(data) -> None:
    """Walk the document without recursion: its depth, then every key and string."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ParseError(_("The JSON body is nested too deeply."))
        if isinstance(value, dict):
            for key, inner in value.items():
                _check_string(key)
                pending.append((inner, depth + 1))
        elif isinstance(value, list):
            pending.extend((inner, depth + 1) for inner in value)
        elif isinstance(value, str):
            _check_string(value)


def _check_string(text: str) -> None:
    if NUL in text or LONE_SURROGATE.search(text):
        raise ParseError(_("The JSON body contains a NUL character or a lone surrogate, which no text may contain."))
