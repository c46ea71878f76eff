"""Checks every request's text once, before any route sees it.

PostgreSQL cannot store U+0000 in ``text`` (nor in ``jsonb``): a NUL that reaches a query ends in
a driver error, which used to be a 500. Rather than a validator on every string field of every
schema, :func:`reject_nul_characters` runs as an app-wide dependency and turns a NUL in any path
parameter, query parameter, or string (or object key) of a JSON body, at any depth, into one 422
validation problem whose ``errors`` name each field with the code ``nul-character``.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.exceptions import RequestValidationError
from starlette.requests import HTTPConnection, Request

__all__ = ["NUL_CODE", "nul_locations", "reject_nul_characters"]

NUL_CODE = "nul-character"
NUL_MESSAGE = "Text must not contain the NUL character (U+0000); remove it and retry."
_NUL = "\x00"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Loc = tuple[str | int, ...]


def nul_locations(document: Any, *, root: Loc = ()) -> list[Loc]:
    """Where ``document`` (parsed JSON) holds a NUL: in a string value or an object key.

    Walks with an explicit stack, so a deeply nested document cannot exhaust the recursion limit.
    """
    found: list[Loc] = []
    stack: list[tuple[Loc, Any]] = [(root, document)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, str):
            if _NUL in node:
                found.append(loc)
        elif isinstance(node, dict):
            for key, value in node.items():
                if _NUL in key:
                    found.append((*loc, key))
                stack.append(((*loc, key), value))
        elif isinstance(node, list):
            stack.extend(((*loc, index), item) for index, item in enumerate(node))
    found.sort(key=lambda loc: [str(part) for part in loc])
    return found


def _error(loc: Loc) -> dict[str, Any]:
    return {"type": NUL_CODE, "loc": loc, "msg": NUL_MESSAGE, "input": None, "ctx": {}}


async def _body_locations(request: Request) -> list[Loc]:
    body = await request.body()  # cached by the request: the route reads the same bytes
    # A NUL can only be in valid JSON as the escape \u0000; skip parsing when it is absent.
    if b"\\u0000" not in body:
        return []
    try:
        document = json.loads(body)
    except ValueError:
        return []  # not JSON: the route's own parsing answers for it
    return nul_locations(document, root=("body",))


async def reject_nul_characters(connection: HTTPConnection) -> None:
    """Raise RequestValidationError (422 ``nul-character``) for any NUL in the request's text."""
    locations: list[Loc] = [
        ("path", name)
        for name, value in connection.path_params.items()
        if isinstance(value, str) and _NUL in value
    ]
    if b"%00" in connection.scope.get("query_string", b""):
        for name, value in connection.query_params.multi_items():
            if _NUL in name or _NUL in value:
                locations.append(("query", name))
    if isinstance(connection, Request) and connection.method in _BODY_METHODS:
        locations.extend(await _body_locations(connection))
    if locations:
        raise RequestValidationError([_error(loc) for loc in locations])
