"""RFC 9457 problem details for every error path.

Services raise subclasses of :class:`ProblemError`; each class has a stable ``type`` slug, an
HTTP status and a title, and the instance carries a detail a person can act on. Endpoints list
the errors they raise with :func:`problem_responses` so they show in OpenAPI.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from servicekit.logging import get_logger, request_id_var

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "/problems/"

log = get_logger(__name__)


class Problem(BaseModel):
    """The body of an ``application/problem+json`` response."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None


class ProblemError(Exception):
    """An expected error, rendered as problem+json. Subclass it per error kind."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra

    @classmethod
    def type_uri(cls) -> str:
        return TYPE_PREFIX + cls.slug


class NotFoundError(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class ConflictError(ProblemError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class UnauthorizedError(ProblemError):
    status = 401
    slug = "unauthorized"
    title = "Authentication required"

    def __init__(self, detail: str, **extra: Any) -> None:
        extra.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **extra)


class ForbiddenError(ProblemError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


def problem_response(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {"type": TYPE_PREFIX + slug, "title": title, "status": status}
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    rid = request_id_var.get()
    if rid is not None:
        body["request_id"] = rid
    body.update(extra)
    return Response(
        orjson.dumps(body, default=str),
        status_code=status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )


def problem_responses(*errors: type[ProblemError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries for the given error classes."""
    out: dict[int | str, dict[str, Any]] = {}
    for err in errors:
        entry = out.setdefault(
            err.status,
            {"model": Problem, "description": "", "content": {PROBLEM_CONTENT_TYPE: {}}},
        )
        entry["description"] = "; ".join(
            filter(None, [entry["description"], f"{err.title} ({err.type_uri()})"])
        )
    return out


def _validation_detail(errors: list[dict[str, Any]]) -> tuple[str, str, list[dict[str, Any]]]:
    """Turn pydantic errors into (slug, detail, fields) a person can act on."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return "malformed-json", "The request body is not valid JSON; send a JSON document.", []
    fields = [
        {
            "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
            "message": str(e.get("msg", "invalid")),
        }
        for e in errors
    ]
    listed = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return "validation-error", f"Fix these fields and retry: {listed}", fields


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        status=exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        instance=request.url.path,
        headers=exc.headers,
        **exc.extra,
    )


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    slug, detail, fields = _validation_detail(list(exc.errors()))
    status = 400 if slug == "malformed-json" else 422
    title = "Malformed JSON" if status == 400 else "Invalid request"
    extra: dict[str, Any] = {"errors": fields} if fields else {}
    return problem_response(
        status=status, slug=slug, title=title, detail=detail, instance=request.url.path, **extra
    )


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    if exc.status_code == 404 and detail is None:
        detail = f"No route for {request.method} {request.url.path}; see /openapi.json."
    if exc.status_code == 405 and detail is None:
        detail = f"{request.method} is not allowed on {request.url.path}."
    return problem_response(
        status=exc.status_code,
        slug=phrase.lower().replace(" ", "-"),
        title=phrase,
        detail=detail,
        instance=request.url.path,
        headers=dict(exc.headers) if exc.headers else None,
    )


def internal_error_response(path: str | None) -> Response:
    """The 500 problem: says nothing of the internals, gives the request id to quote."""
    return problem_response(
        status=500,
        slug="internal-error",
        title="Internal error",
        detail="Something went wrong on our side; retry later and quote the request id.",
        instance=path,
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", path=request.url.path, exc_info=exc)
    return internal_error_response(request.url.path)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
