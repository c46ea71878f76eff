"""The list of routes that need no access token."""

from __future__ import annotations

import re

import pytest

from gateway.public import PUBLIC_ROUTES, PublicRoutes, is_public


@pytest.mark.parametrize(("method", "path"), PUBLIC_ROUTES)
def test_every_listed_route_is_public(method: str, path: str) -> None:
    concrete = re.sub(r"\{[^}]+\}", "AIR-7D", path)

    assert is_public(method, concrete)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/identity/organizations"),  # listed for POST only
        ("POST", "/api/billing/catalog/products/AIR-7D"),
        ("GET", "/api/billing/catalog/products/AIR-7D/prices"),
        ("GET", "/api/billing/catalog/products/"),
        ("GET", "/api/billing/catalog/products/.."),
        ("GET", "/api/billing/orders"),
        ("POST", "/api/identity/auth/login/"),
        ("GET", "/api/programming/agent/ws"),  # public as a WebSocket handshake only
        ("WEBSOCKET", "/api/programming/sessions/s-1/watch"),
        ("POST", "/api/programming/agents"),
        ("GET", "/api/programming/releases/r-1"),
        ("PUT", "/api/programming/releases/r-1/image"),
        # An agent build's file is public; the list of builds is not.
        ("GET", "/api/programming/agent-builds"),
        ("DELETE", "/api/programming/agent-builds/b-1/file"),
        # An invitation link is public; managing invitations is not.
        ("DELETE", "/api/identity/invitations/t-1"),
        ("POST", "/api/identity/invitations/t-1"),
        ("GET", "/api/identity/organizations/current/invitations"),
        ("POST", "/api/identity/organizations/current/invitations/i-1/resend"),
    ],
)
def test_unlisted_routes_are_not_public(method: str, path: str) -> None:
    assert not is_public(method, path)


def test_an_invitation_link_is_public_to_read_and_accept() -> None:
    assert is_public("POST", "/api/identity/invitations/preview")
    # The token travels in the body: no path carries it (paths are written to access logs).
    assert not is_public("GET", "/api/identity/invitations/tok3n")
    assert is_public("POST", "/api/identity/invitations/accept")


def test_head_is_public_where_get_is() -> None:
    assert is_public("HEAD", "/api/billing/catalog/products")


def test_openapi_path_templates_match_variable_segments() -> None:
    routes = PublicRoutes((("GET", "/api/billing/catalog/products/{code}"),))

    assert routes.matches("GET", "/api/billing/catalog/products/{product_code}")


@pytest.mark.parametrize(
    "path",
    [
        "/api/identity/password-resets",
        "/api/identity/password-resets/confirm",
        "/api/identity/auth/totp-reset",
        "/api/identity/email-changes/confirm",
    ],
)
def test_what_a_logged_out_user_needs_to_get_back_in_is_public(path: str) -> None:
    assert is_public("POST", path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/identity/me/password"),
        ("POST", "/api/identity/me/email-changes"),
        ("GET", "/api/identity/me/sessions"),
        ("POST", "/api/identity/password-resets/a-token-in-the-path"),
    ],
)
def test_signed_in_account_routes_are_not_public(method: str, path: str) -> None:
    assert not is_public(method, path)
