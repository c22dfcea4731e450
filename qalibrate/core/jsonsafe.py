"""JSON parsed with a limit on how deep it nests.

Python's parser recurses once per level: a body of 100,000 "[" ends in a RecursionError (a
server error), and a few hundred levels pass the parser only to overflow whatever walks the
data next. No document of Qalibrate nests more than a handful of levels, so anything deeper
is refused as bad input, with a ValueError like any other broken JSON.
"""

import json

from django.utils.translation import gettext as _

MAX_DEPTH = 32


class JSONTooDeep(ValueError):
    def __init__(self, limit: int):
        super().__init__(
            _("The JSON is nested more than %(limit)d levels deep.") % {"limit": limit}
        )


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, **options):
    """json.loads, raising JSONTooDeep (a ValueError) when arrays and objects nest deeper
    than max_depth. Options go to json.loads (parse_constant, for example)."""
    try:
        data = json.loads(text, **options)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    if _openings(text) > max_depth and _depth(text, max_depth) > max_depth:
        raise JSONTooDeep(max_depth)
    return data


def load(file, *, max_depth: int = MAX_DEPTH, **options):
    return loads(file.read(), max_depth=max_depth, **options)


def _openings(text: str | bytes) -> int:
    """How many arrays and objects open: fewer than the limit cannot nest deeper."""
    if isinstance(text, bytes | bytearray):
        return text.count(b"[") + text.count(b"{")
    return text.count("[") + text.count("{")


# Every byte but brackets, for bytes.translate: the scan below runs at C speed, not a Python
# loop over millions of characters (a walk of the parsed data takes longer than the parse).
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def _depth(text: str | bytes, limit: int) -> int:
    """The nesting depth of valid JSON text ([] is 1, [[]] 2), read from the text: escaped
    backslashes and quotes go, then every other piece between quotes (the strings), then all
    but the brackets; each pass removes the innermost pairs. It stops past the limit."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
    raw = text.encode("utf-8", "surrogatepass")
    raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    raw = b"".join(raw.split(b'"')[::2])
    raw = raw.translate(None, _NOT_BRACKETS).replace(b"{", b"[").replace(b"}", b"]")
    level = 0
    while raw and level <= limit:
        level += 1
        raw = raw.replace(b"[]", b"")
    return level
