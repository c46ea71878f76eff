"""No NUL character reaches a database: every string field and parameter of the public API refuses
it with a 422 problem naming the field.

The cases are generated from the merged OpenAPI document (the one the gateway serves and the
portal's types come from), so an operation added later is covered without touching this test. Each
service runs in-process with its own real, migrated PostgreSQL database; every request carries a
valid access token, so it gets past authentication to validation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

NUL = "\x00"
# Schemas nest a few levels at most; the bound only stops a recursive schema.
MAX_DEPTH = 8
# Requests the generator must produce: the NUL 500s an audit found. If one goes missing, the
# generator (not the API) has changed.
KNOWN_CASES = {
    ("GET", "/api/billing/catalog/products/{code}", "path.code"),
    ("POST", "/api/identity/auth/login", "email"),
    ("POST", "/api/billing/orders", "product_code"),
    ("POST", "/api/programming/agents/pair", "name"),
}

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # as in the merged document, /api/<service>/...
    field: str  # the field the problem must name
    url: str  # the service's own path, NUL already percent-encoded
    params: dict[str, str]
    body: Any

    @property
    def service(self) -> str:
        return self.path.split("/")[2]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.field}]"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        section, name = schema["$ref"].removeprefix("#/components/").split("/")
        schema = document["components"][section][name]
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def _sample(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """A plausible valid value: the first example, enum value or a value of the declared type."""
    schema = _resolve(document, schema)
    for key in ("anyOf", "oneOf"):
        variants = [v for v in schema.get(key, []) if "null" not in _types(_resolve(document, v))]
        if variants:
            return _sample(document, variants[0], depth + 1)
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    types = _types(schema)
    if "object" in types and depth < MAX_DEPTH:
        properties = schema.get("properties", {})
        return {
            name: _sample(document, properties[name], depth + 1)
            for name in schema.get("required", [])
            if name in properties
        }
    if "array" in types:
        return []
    if "integer" in types or "number" in types:
        return schema.get("minimum", 1)
    if "boolean" in types:
        return False
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "email":
        return "someone@workshop.example"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    return "x" * max(int(schema.get("minLength", 1)), 1)


def _nul_documents(
    document: dict[str, Any], schema: dict[str, Any], depth: int = 0
) -> dict[Loc, Any]:
    """For each string in the schema (at any depth): a document with NUL there, else valid."""
    schema = _resolve(document, schema)
    found: dict[Loc, Any] = {}
    if depth > MAX_DEPTH:
        return found
    for key in ("anyOf", "oneOf", "allOf"):
        for variant in schema.get(key, []):
            for loc, value in _nul_documents(document, variant, depth + 1).items():
                found.setdefault(loc, value)
    types = _types(schema)
    if "string" in types:
        found.setdefault((), NUL)
    if "object" in types:
        base = _sample(document, schema)
        members = dict(schema.get("properties", {}))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            members["key"] = extra
        for name, member in members.items():
            for loc, value in _nul_documents(document, member, depth + 1).items():
                found.setdefault((name, *loc), {**base, name: value})
    if "array" in types:
        for loc, value in _nul_documents(document, schema.get("items", {}), depth + 1).items():
            found.setdefault((0, *loc), [value])
    return found


def _admits_string(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    schema = _resolve(document, schema)
    # A repeated query parameter is an array of its values.
    variants = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    if isinstance(schema.get("items"), dict):
        variants.append(schema["items"])
    return "string" in _types(schema) or any(_admits_string(document, v) for v in variants)


def generate_cases(document: dict[str, Any]) -> Iterator[Case]:
    """One case per string body field, path parameter and string query parameter."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            in_path = {p["name"]: p for p in parameters if p["in"] == "path"}
            in_query = [p for p in parameters if p["in"] == "query"]
            json_body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            body_schema = json_body["schema"] if json_body else None
            valid_body = _sample(document, body_schema) if body_schema else None
            service_path = "/" + path.split("/", 3)[3]

            def url(nul_in: str | None, template: str = service_path) -> str:
                for name, parameter in in_path.items():  # noqa: B023
                    value = "%00" if name == nul_in else _sample(document, parameter["schema"])
                    template = template.replace("{" + name + "}", str(value))
                return template

            for name in in_path:
                yield Case(method.upper(), path, f"path.{name}", url(name), {}, valid_body)
            for parameter in in_query:
                if _admits_string(document, parameter["schema"]):
                    name = parameter["name"]
                    yield Case(
                        method.upper(), path, f"query.{name}", url(None), {name: NUL}, valid_body
                    )
            if body_schema is not None:
                for loc, body in _nul_documents(document, body_schema).items():
                    field = ".".join(str(part) for part in loc) or "body"
                    yield Case(method.upper(), path, field, url(None), {}, body)


async def test_nul_in_any_string_field_or_parameter_is_a_422_naming_the_field(
    services: Any,
) -> None:
    clients, issuer, document = services.clients, services.issuer, services.document
    cases = list(generate_cases(document))
    assert {(c.method, c.path, c.field) for c in cases} >= KNOWN_CASES
    headers = {"authorization": f"Bearer {issuer.token()}"}
    failures: list[str] = []
    for case in cases:
        response = await clients[case.service].request(
            case.method,
            case.url,
            params=case.params,
            json=case.body,
            headers=headers if case.body is None else {**headers, "idempotency-key": "k1"},
        )
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        named = [
            error
            for error in problem.get("errors") or []
            if error.get("field") == case.field and error.get("code") == "nul-character"
        ]
        if (
            response.status_code != 422
            or response.headers.get("content-type") != "application/problem+json"
            or problem.get("code") != "validation-error"
            or not named
        ):
            failures.append(f"{case}: {response.status_code} {response.text[:300]}")
    assert not failures, f"{len(failures)} of {len(cases)} requests:\n" + "\n".join(failures)
