"""The merged OpenAPI document of every service, as partners and the SPA see it through the gateway.

Each service's ``/openapi.json`` is fetched (and reused for a short while); its paths get the
``/api/<service>`` prefix, component names that two services define differently get the service
name as a prefix (with every ``$ref`` rewritten), tags are merged, and operations that need an
access token at the gateway are marked with the bearer security scheme. A service in several
replicas gives the document of the first replica that answers; a service none of whose replicas
answers is left out, with a note in ``info.description``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
import orjson

from gateway.public import PublicRoutes
from gateway.upstreams import UpstreamPool
from servicekit.problems import Problem

__all__ = ["BEARER_SCHEME", "MergedOpenApi", "merge_openapi"]

BEARER_SCHEME = "bearerAuth"
TITLE = "AOS API"
DESCRIPTION = (
    "The public API of AOS, the Aftersales Online System. Every path is "
    "`/api/<service>/...`; every operation except the public ones (registration, login, "
    "token refresh, the product catalogue, the signing keys) needs "
    "`Authorization: Bearer <access token>`. Errors are RFC 9457 `application/problem+json`."
)
# Probes of each service: for the platform, not for API clients.
INTERNAL_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_REF_PREFIX = "#/components/"
# A document missing a service is kept for a shorter time, so the service shows up soon after
# it is back.
PARTIAL_DOCUMENT_SECONDS = 5.0
_PROBLEM_REF = "#/components/schemas/Problem"
# Answers the gateway itself may give for any operation, before or instead of the service's own:
# partners (and contract checkers such as schemathesis) see every status they can meet.
EDGE_RESPONSES: dict[str, str] = {
    "429": "Too many requests: a rate limit at the edge (see Retry-After and RateLimit-*)",
    "502": "The service could not be reached (upstream-unavailable); retry shortly",
    "503": "The service cannot serve now, e.g. its database is away (see Retry-After)",
    "504": "The service did not answer in time (upstream-timeout); retry shortly",
}
UNAUTHORIZED_RESPONSE = "No valid access token (unauthorized): log in, or refresh the token"

Renames = dict[tuple[str, str, str], str]  # (service, section, name) → merged name


def _rewrite_refs(node: Any, service: str, renames: Renames) -> Any:
    """A copy of ``node`` with every component ``$ref`` of ``service`` renamed."""
    if isinstance(node, dict):
        out = {key: _rewrite_refs(value, service, renames) for key, value in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            section, _, name = ref[len(_REF_PREFIX) :].partition("/")
            new = renames.get((service, section, name))
            if new is not None:
                out["$ref"] = f"{_REF_PREFIX}{section}/{new}"
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, service, renames) for item in node]
    return node


def _components(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    components = document.get("components")
    return components if isinstance(components, dict) else {}


def _component_renames(documents: Mapping[str, Mapping[str, Any]]) -> Renames:
    """Which components get a service prefix: those defined differently by two services.

    Two definitions that are equal once their own references are renamed stay one shared
    component; renaming one component can make others differ, so repeat until nothing changes.
    """
    owners: dict[tuple[str, str], list[str]] = {}
    for service, document in documents.items():
        for section, entries in _components(document).items():
            for name in entries:
                owners.setdefault((section, name), []).append(service)
    shared = {key: services for key, services in owners.items() if len(services) > 1}
    colliding: set[tuple[str, str]] = set()
    while True:
        renames: Renames = {
            (service, section, name): f"{service}_{name}"
            for section, name in colliding
            for service in owners[(section, name)]
        }
        changed = False
        for (section, name), services in shared.items():
            if (section, name) in colliding:
                continue
            variants = {
                orjson.dumps(
                    _rewrite_refs(_components(documents[s])[section][name], s, renames),
                    option=orjson.OPT_SORT_KEYS,
                )
                for s in services
            }
            if len(variants) > 1:
                colliding.add((section, name))
                changed = True
        if not changed:
            return renames


def merge_openapi(
    documents: Mapping[str, Mapping[str, Any]],
    *,
    unavailable: Sequence[str] = (),
    public: PublicRoutes,
    version: str,
) -> dict[str, Any]:
    """One OpenAPI 3.1 document from each service's own (``service name → document``)."""
    renames = _component_renames(documents)
    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: dict[str, dict[str, Any]] = {}
    operation_ids: set[str] = set()
    for service, original in documents.items():
        document = _rewrite_refs(original, service, renames)
        for section, entries in _components(document).items():
            target = components.setdefault(section, {})
            for name, value in entries.items():
                target[renames.get((service, section, name), name)] = value
        for tag in document.get("tags") or ():
            if isinstance(tag, dict) and "name" in tag:
                tags.setdefault(tag["name"], tag)
        for path, item in (document.get("paths") or {}).items():
            if path in INTERNAL_PATHS or not isinstance(item, dict):
                continue
            full_path = f"/api/{service}{path}"
            for method, operation in item.items():
                if method not in HTTP_METHODS or not isinstance(operation, dict):
                    continue
                operation_id = operation.get("operationId")
                if isinstance(operation_id, str):
                    if operation_id in operation_ids:
                        operation["operationId"] = operation_id = f"{service}_{operation_id}"
                    operation_ids.add(operation_id)
                edge = dict(EDGE_RESPONSES)
                if not public.matches(method.upper(), full_path):
                    operation["security"] = [{BEARER_SCHEME: []}]
                    edge["401"] = UNAUTHORIZED_RESPONSE
                _add_edge_responses(operation, edge)
            paths[full_path] = item
    schemas = components.setdefault("schemas", {})
    if "Problem" not in schemas:  # every service has it; a document without services has not
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
    components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token from POST /api/identity/auth/login.",
    }
    description = DESCRIPTION
    if unavailable:
        missing = ", ".join(unavailable)
        description += (
            f"\n\n**Incomplete:** {missing} did not answer when this document was built; "
            "its operations are missing here. Fetch the document again shortly."
        )
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": version, "description": description},
        "paths": paths,
        "components": components,
    }
    if tags:
        merged["tags"] = list(tags.values())
    return merged


def _add_edge_responses(operation: dict[str, Any], edge: Mapping[str, str]) -> None:
    """Document the gateway's own answers on ``operation``; the service's own entry wins."""
    responses = operation.setdefault("responses", {})
    for status, description in edge.items():
        responses.setdefault(
            status,
            {
                "description": description,
                "content": {"application/problem+json": {"schema": {"$ref": _PROBLEM_REF}}},
            },
        )


class MergedOpenApi:
    """Fetches the services' documents and keeps the merged one for ``ttl_seconds``."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, UpstreamPool],
        *,
        ttl_seconds: float,
        version: str,
        public: PublicRoutes,
        fetch_timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.upstreams = dict(upstreams)
        self.ttl_seconds = ttl_seconds
        self.version = version
        self.public = public
        self.fetch_timeout = aiohttp.ClientTimeout(total=fetch_timeout_seconds)
        self._clock = clock
        self._body: bytes | None = None
        self._expires_at = float("-inf")
        self._lock = asyncio.Lock()

    async def document(self) -> bytes:
        """The merged document as JSON bytes."""
        if self._body is not None and self._clock() < self._expires_at:
            return self._body
        async with self._lock:
            if self._body is None or self._clock() >= self._expires_at:
                await self._rebuild()
        assert self._body is not None
        return self._body

    async def _rebuild(self) -> None:
        names = list(self.upstreams)
        fetched = await asyncio.gather(*(self._fetch_any(self.upstreams[name]) for name in names))
        documents = {name: doc for name, doc in zip(names, fetched, strict=True) if doc}
        unavailable = [name for name, doc in zip(names, fetched, strict=True) if doc is None]
        merged = merge_openapi(
            documents, unavailable=unavailable, public=self.public, version=self.version
        )
        self._body = orjson.dumps(merged)
        ttl = min(self.ttl_seconds, PARTIAL_DOCUMENT_SECONDS) if unavailable else self.ttl_seconds
        self._expires_at = self._clock() + ttl

    async def _fetch_any(self, pool: UpstreamPool) -> dict[str, Any] | None:
        """The document of the first replica that gives one (replicas serve the same)."""
        for base_url in pool.candidates():
            document = await self._fetch(base_url)
            if document is not None:
                return document
        return None

    async def _fetch(self, base_url: str) -> dict[str, Any] | None:
        try:
            async with self.session.get(
                f"{base_url}/openapi.json", timeout=self.fetch_timeout, allow_redirects=False
            ) as response:
                if response.status != 200:
                    return None
                document = orjson.loads(await response.read())
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError):
            return None
        return document if isinstance(document, dict) else None
