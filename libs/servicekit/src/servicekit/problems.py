"""RFC 9457 problem details for every error path.

Services raise subclasses of :class:`ProblemError`; each class has a stable ``type`` slug, an
HTTP status and a title, and the instance carries a detail a person can act on. Endpoints list
the errors they raise with :func:`problem_responses` so they show in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from servicekit.failures import is_database_unavailable
from servicekit.logging import get_logger, request_id_var

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "/problems/"
# Seconds a client is asked to wait when the service's database is away.
UNAVAILABLE_RETRY_AFTER_SECONDS = 5

log = get_logger(__name__)


class FieldError(BaseModel):
    """One rejected field of a validation problem, for a client to show next to that field."""

    # Dotted location: body fields without a leading "body" ("owner.email", "items.0.name"),
    # path and query parameters with theirs ("path.product_code", "query.q").
    field: str
    # pydantic's error type (missing, string_too_short, ...) or a kebab-case code of our own
    # raised with PydanticCustomError (nul-character, country-unknown, ...).
    code: str
    # The English message; clients translate by ``code`` and ``params``.
    message: str
    # The rule's parameters (e.g. {"min_length": 2}), JSON values only; may be empty.
    params: dict[str, Any]


class Problem(BaseModel):
    """The body of an ``application/problem+json`` response."""

    model_config = ConfigDict(extra="allow")

    type: str
    # Stable machine code, the slug at the end of ``type``: clients switch and translate on it.
    code: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    # Only on validation problems (422): which fields were rejected and why.
    errors: list[FieldError] | None = None


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
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + slug,
        "code": slug,
        "title": title,
        "status": status,
    }
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


# Context keys that only repeat the message (the exception a validator raised).
_MESSAGE_ONLY_CONTEXT = frozenset({"error"})
_VALUE_ERROR_PREFIXES = ("Value error, ", "Assertion failed, ")


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return str(value)


def field_error(error: Mapping[str, Any]) -> dict[str, Any]:
    """One pydantic error as a :class:`FieldError` body entry (never echoes the input)."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] == "body":
        loc = loc[1:]
    message = str(error.get("msg", "invalid"))
    for prefix in _VALUE_ERROR_PREFIXES:
        message = message.removeprefix(prefix)
    context = error.get("ctx") or {}
    params = {
        str(key): _json_safe(value)
        for key, value in context.items()
        if key not in _MESSAGE_ONLY_CONTEXT
    }
    return {
        "field": ".".join(loc) or "body",
        "code": str(error.get("type", "invalid")),
        "message": message,
        "params": params,
    }


def _validation_detail(errors: list[dict[str, Any]]) -> tuple[str, str, list[dict[str, Any]]]:
    """Turn pydantic errors into (slug, detail, fields) a person can act on."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return "malformed-json", "The request body is not valid JSON; send a JSON document.", []
    fields = [field_error(e) for e in errors]
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


def unexpected_error_response(exc: BaseException, path: str | None) -> Response:
    """The answer to an exception no handler expected, logged once.

    The database being away is an outage, not a bug: 503 ``service-unavailable`` with
    Retry-After, so clients and the gateway's callers retry instead of reporting an error.
    """
    if is_database_unavailable(exc):
        log.warning("database unavailable", path=path, error=f"{type(exc).__name__}: {exc}")
        return problem_response(
            status=503,
            slug="service-unavailable",
            title="Service unavailable",
            detail="The service cannot reach its database right now; retry in a few seconds.",
            instance=path,
            headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)},
        )
    log.error("unhandled error", path=path, exc_info=exc)
    return internal_error_response(path)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    return unexpected_error_response(exc, request.url.path)


_COMPONENTS = "#/components/schemas/"


def document_validation_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Describe 422 answers in an OpenAPI document as what they are: a Problem with ``errors``.

    FastAPI documents its own HTTPValidationError (``{"detail": [...]}``) for every operation
    with parameters or a body, but :func:`_on_validation` answers a problem. Changes ``schema``
    in place (idempotent) and returns it.
    """
    description = "Invalid request (/problems/validation-error); errors names each field"
    response = {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _COMPONENTS + "Problem"}}},
    }
    default_ref = _COMPONENTS + "HTTPValidationError"
    for item in (schema.get("paths") or {}).values():
        for operation in item.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not responses or "422" not in responses:
                continue
            if default_ref in orjson.dumps(responses["422"]).decode():
                responses["422"] = response
            elif "validation-error" not in responses["422"].get("description", ""):
                # The route lists 422 problems of its own; the validation one happens too.
                responses["422"]["description"] += "; " + description
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    if "Problem" not in schemas:
        problem = Problem.model_json_schema(ref_template=_COMPONENTS + "{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
    return schema


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
