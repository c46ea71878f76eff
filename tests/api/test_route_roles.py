"""Every route that needs an access token names the roles it admits, and each service's README
says the same as the code.

Both read the merged OpenAPI document (the one the gateway serves): an operation the gateway
guards with the bearer scheme must carry ``x-aos-roles`` (written from the route's
``require_roles``), a public one must not, and the "Route → roles" table of each service's
README must list exactly the operations and roles of that service in the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.openapi import BEARER_SCHEME, HTTP_METHODS
from servicekit.roles import OPENAPI_ROLES_KEY

REPOSITORY = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "billing", "air", "programming")
TABLE_HEADING = "## Route → roles"
PUBLIC = "public"

# (method, path as the gateway exposes it) → the roles, or "public"
Table = dict[tuple[str, str], str]


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                yield method.upper(), path, operation


def needs_token(operation: dict[str, Any]) -> bool:
    return any(BEARER_SCHEME in requirement for requirement in operation.get("security", []))


def roles_of(operation: dict[str, Any]) -> str:
    """What a README row says for ``operation``: its roles, or "public"."""
    if not needs_token(operation):
        return PUBLIC
    return ", ".join(operation.get(OPENAPI_ROLES_KEY) or ["(none declared)"])


def readme_table(readme: Path) -> Table | None:
    """The rows of the README's "Route → roles" table, None when it has no such section."""
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    if TABLE_HEADING not in text:
        return None
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    rows: Table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not line.lstrip().startswith("|"):
            continue
        method, path, roles = cells
        if method.lower() == "method" or set(method) <= {"-", ":"}:
            continue
        rows[(method, path.strip("`"))] = re.sub(r"\s+", " ", roles)
    return rows


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_that_needs_a_token_names_its_roles(
    openapi_document: dict[str, Any], service: str
) -> None:
    undeclared = [
        f"{method} {path}"
        for method, path, operation in operations(openapi_document)
        if path.startswith(f"/api/{service}/")
        and needs_token(operation)
        and not operation.get(OPENAPI_ROLES_KEY)
    ]
    assert not undeclared, (
        "these operations need an access token but admit no declared roles; give the route "
        "servicekit.roles.require_roles(...) instead of CurrentPrincipal:\n" + "\n".join(undeclared)
    )


def test_a_public_operation_declares_no_roles(openapi_document: dict[str, Any]) -> None:
    # The gateway lets a public route through without a token: roles there could never be met.
    contradictory = [
        f"{method} {path}"
        for method, path, operation in operations(openapi_document)
        if not needs_token(operation) and operation.get(OPENAPI_ROLES_KEY)
    ]
    assert not contradictory


@pytest.mark.parametrize("service", SERVICES)
def test_the_readme_route_table_matches_the_roles_in_the_openapi(
    openapi_document: dict[str, Any], service: str
) -> None:
    readme = REPOSITORY / "services" / service / "README.md"
    table = readme_table(readme)
    if table is None:
        pytest.fail(f"{readme.relative_to(REPOSITORY)} has no '{TABLE_HEADING}' section")
    expected: Table = {
        (method, path): roles_of(operation)
        for method, path, operation in operations(openapi_document)
        if path.startswith(f"/api/{service}/")
    }
    missing = {key: roles for key, roles in expected.items() if table.get(key) != roles}
    extra = sorted(f"{m} {p}" for m, p in set(table) - set(expected))
    assert not missing and not extra, (
        f"{readme.relative_to(REPOSITORY)} differs from the code. Rows it should have:\n"
        + "\n".join(f"| {m} | `{p}` | {r} |" for (m, p), r in sorted(missing.items()))
        + ("\nRows for operations that do not exist: " + ", ".join(extra) if extra else "")
    )
