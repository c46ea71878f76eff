"""Every identity route either is public (needs no access token) or names the roles it admits;
the README's route → roles table is this declaration."""

from __future__ import annotations

from fastapi import FastAPI

ALL = ["owner", "admin", "technician", "accountant"]
MANAGERS = ["owner", "admin"]

# Routes without an access token: registration, login, TOTP enrolment (its own token), the
# JWKS, an invitation link (its token), and the account links sent by mail or
# opened with a recovery code (the token or the code is the proof).
PUBLIC = {
    ("POST", "/organizations"),
    ("POST", "/email-verifications"),
    ("POST", "/email-verifications/resend"),
    ("POST", "/auth/login"),
    ("POST", "/auth/refresh"),
    ("POST", "/auth/logout"),
    ("POST", "/totp/enrolment"),
    ("POST", "/totp/enrolment/confirm"),
    ("GET", "/.well-known/jwks.json"),
    ("POST", "/invitations/preview"),
    ("POST", "/invitations/accept"),
    ("POST", "/auth/totp-reset"),
    ("POST", "/password-resets"),
    ("POST", "/password-resets/confirm"),
    ("POST", "/email-changes/confirm"),
}

EXPECTED_ROLES = {
    ("GET", "/me"): ALL,
    ("POST", "/me/password"): ALL,
    ("POST", "/me/email-changes"): ALL,
    ("POST", "/me/recovery-codes"): ALL,
    ("GET", "/me/sessions"): ALL,
    ("DELETE", "/me/sessions/{session_id}"): ALL,
    ("POST", "/me/sessions/revoke-all"): ALL,
    ("GET", "/organizations/current"): ALL,
    ("PATCH", "/organizations/current"): MANAGERS,
    ("POST", "/organizations/current/close"): ["owner"],
    ("GET", "/organizations/current/members"): MANAGERS,
    ("PATCH", "/organizations/current/members/{user_id}"): MANAGERS,
    ("DELETE", "/organizations/current/members/{user_id}"): MANAGERS,
    ("POST", "/organizations/current/members/{user_id}/deactivate"): MANAGERS,
    ("POST", "/organizations/current/members/{user_id}/reactivate"): MANAGERS,
    ("GET", "/organizations/current/invitations"): MANAGERS,
    ("POST", "/organizations/current/invitations"): MANAGERS,
    ("POST", "/organizations/current/invitations/{invitation_id}/resend"): MANAGERS,
    ("POST", "/organizations/current/invitations/{invitation_id}/revoke"): MANAGERS,
    ("DELETE", "/organizations/current/invitations/{invitation_id}"): MANAGERS,
}

_PROBES = {"/healthz", "/readyz", "/metrics"}


def _operations(app: FastAPI) -> dict[tuple[str, str], dict[str, object]]:
    document = app.openapi()
    return {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        if path not in _PROBES
        for method, operation in item.items()
    }


def test_every_route_is_public_or_declares_its_roles(app: FastAPI) -> None:
    undeclared = [
        route
        for route, operation in _operations(app).items()
        if route not in PUBLIC and "x-aos-roles" not in operation
    ]
    assert undeclared == []


def test_routes_admit_the_roles_of_the_brief(app: FastAPI) -> None:
    operations = _operations(app)
    declared = {route: operations[route].get("x-aos-roles") for route in EXPECTED_ROLES}
    assert declared == EXPECTED_ROLES
    assert all("x-aos-roles" not in operations[route] for route in PUBLIC)
