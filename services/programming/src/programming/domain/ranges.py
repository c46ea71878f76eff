"""HTTP Range requests (RFC 9110 §14) for one byte range."""

from __future__ import annotations

import re

__all__ = ["RangeNotSatisfiable", "parse_range"]

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
