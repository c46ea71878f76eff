"""HTTP Range requests (RFC 9110 §14) for one byte range."""

from __future__ import annotations

import re

__all__ = [
    "RangeNotSatisfiable",
    "none_match",
    "parse_range",
    "range_still_applies",
    "requested_range",
]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(ValueError):
    """The Range header cannot be served for a resource of this size."""


def parse_range(header: str, *, size: int) -> tuple[int, int]:
    """(first, last) byte positions, inclusive, of a single-range ``bytes=`` header.

    Supports ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` (the last n bytes). Raises
    RangeNotSatisfiable for anything else or for a range outside ``size``.
    """
    match = _RANGE.match(header.strip())
    if match is None:
        raise RangeNotSatisfiable(f"unsupported Range {header!r}; send one bytes=first-last range")
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text or int(last_text) == 0 or size == 0:
            raise RangeNotSatisfiable(f"empty suffix range {header!r}")
        return max(size - int(last_text), 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise RangeNotSatisfiable(f"range {header!r} is outside the {size} bytes of the image")
    return first, min(last, size - 1)


# RFC 9110 §14.1.2: ranges are "first-last" or "-suffix"; one of them per header here.
_SINGLE_RANGE = re.compile(r"^bytes\s*=\s*(?:(\d+)-(\d*)|-(\d+))\s*$", re.IGNORECASE)


def requested_range(header: str | None, *, size: int) -> tuple[int, int] | None:
    """(first, last), inclusive, of a ``Range`` header to answer with 206; None when the whole
    representation is to be sent (no header, or one ignored as RFC 9110 §14.2 allows: not one
    valid ``bytes`` range, e.g. malformed, ``5-2``, another unit or several ranges).

    Raises RangeNotSatisfiable for a valid range that selects none of the ``size`` bytes (a
    first position at or past the end, a suffix of zero bytes, any range of an empty file).
    """
    if header is None:
        return None
    match = _SINGLE_RANGE.match(header)
    if match is None:
        return None
    first_text, last_text, suffix_text = match.groups()
    if suffix_text is not None:
        suffix = int(suffix_text)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(f"the range {header!r} selects none of the {size} bytes")
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else None
    if last is not None and last < first:
        return None  # not a valid range: ignored, the whole file is sent
    if first >= size:
        raise RangeNotSatisfiable(
            f"the range {header!r} starts at or after the end of the {size} bytes"
        )
    return first, size - 1 if last is None else min(last, size - 1)


def _entity_tags(header: str) -> list[tuple[bool, str]]:
    """The (weak, opaque tag) pairs of an ``If-None-Match``-style list; a malformed member is
    skipped (it matches nothing)."""
    tags: list[tuple[bool, str]] = []
    for member in header.split(","):
        text = member.strip()
        weak = text.startswith(("W/", "w/"))
        if weak:
            text = text[2:]
        if len(text) >= 2 and text[0] == text[-1] == '"':
            tags.append((weak, text[1:-1]))
    return tags


def none_match(header: str | None, *, etag: str) -> bool:
    """True when ``If-None-Match`` names the current strong ``etag`` (the bare tag, without
    quotes) or is ``*``: the client's copy is current (304). Weak comparison (§13.1.2)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag == etag for _weak, tag in _entity_tags(header))


def range_still_applies(if_range: str | None, *, etag: str) -> bool:
    """True when a ``Range`` may be honoured under ``If-Range`` (§13.1.5): no ``If-Range``, or
    one that is the current strong ``etag``. A weak tag, another tag or a date (this
    resource sends no Last-Modified) means the client's part is stale: send all of it."""
    if if_range is None:
        return True
    tags = _entity_tags(if_range)
    return len(tags) == 1 and tags[0] == (False, etag)
