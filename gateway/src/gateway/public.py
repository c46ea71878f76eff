"""The routes that need no access token at the gateway. Everything else does.

Keep this list short and readable: every entry is a hole in the edge check. The service behind
still decides what the caller may do (an enrolment token is checked by identity itself, the
payment webhook by billing's signature check).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PUBLIC_ROUTES", "PublicRoutes", "is_public"]

# (method, path template); "{name}" stands for exactly one non-empty path segment. The method
# WEBSOCKET stands for a WebSocket handshake on that path (and only for that).
PUBLIC_ROUTES: tuple[tuple[str, str], ...] = (
    # Registration and e-mail verification.
    ("POST", "/api/identity/organizations"),
    ("POST", "/api/identity/email-verifications"),
    ("POST", "/api/identity/email-verifications/resend"),
    # Logging in and out, token refresh (the refresh token is identity's HttpOnly cookie).
    ("POST", "/api/identity/auth/login"),
    ("POST", "/api/identity/auth/refresh"),
    ("POST", "/api/identity/auth/logout"),
    # Forgotten password and lost authenticator: no login is possible, the mailed link or the
    # password with a recovery code is what identity checks.
    ("POST", "/api/identity/password-resets"),
    ("POST", "/api/identity/password-resets/confirm"),
    ("POST", "/api/identity/auth/totp-reset"),
    # Confirming a new e-mail address with the link mailed to it.
    ("POST", "/api/identity/email-changes/confirm"),
    # TOTP enrolment: these carry an enrolment token that identity itself checks.
    ("POST", "/api/identity/totp/enrolment"),
    ("POST", "/api/identity/totp/enrolment/confirm"),
    # Reading and accepting an invitation: the token in the path is the proof (identity checks
    # it); the invited person has no account yet.
    ("POST", "/api/identity/invitations/preview"),
    ("POST", "/api/identity/invitations/accept"),
    # The keys the access tokens are signed with.
    ("GET", "/api/identity/.well-known/jwks.json"),
    # The shop window.
    ("GET", "/api/billing/catalog/products"),
    ("GET", "/api/billing/catalog/products/{code}"),
    # The payment provider's signed callback (billing checks the signature).
    ("POST", "/api/billing/payments/webhook"),
    # A VCI agent trading the pairing code a workshop user created for its device credential
    # (programming checks the code; the agent has no user and no access token).
    ("POST", "/api/programming/agents/pair"),
    # The agent's WebSocket, authenticated by its device credential, which only programming can
    # check (it is not a JWT).
    ("WEBSOCKET", "/api/programming/agent/ws"),
    # Flash image downloads by the agent (HTTP Range), authorised by the per-job download token
    # that programming issued and checks.
    ("GET", "/api/programming/releases/{id}/image"),
    # The VCI agent's single-file builds: they hold no secret (an agent is useless until
    # paired), are signed by the release key, and an agent too old to connect fetches its
    # update here. The list of builds stays behind the login.
    ("GET", "/api/programming/agent-builds/{id}/file"),
    # The gateway's own documents and probes (its metrics have a listener of their own).
    ("GET", "/api/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
)

_DOT_SEGMENTS = frozenset({".", ".."})


@dataclass(frozen=True)
class _Template:
    method: str
    segments: tuple[str | None, ...]  # None: one variable segment


class PublicRoutes:
    """Matches a request (or an OpenAPI path template) against the public list."""

    def __init__(self, routes: tuple[tuple[str, str], ...] = PUBLIC_ROUTES) -> None:
        self._exact: set[tuple[str, str]] = set()
        self._templates: list[_Template] = []
        for method, path in routes:
            if "{" in path:
                segments = tuple(None if part.startswith("{") else part for part in path.split("/"))
                self._templates.append(_Template(method, segments))
            else:
                self._exact.add((method, path))

    def matches(self, method: str, path: str) -> bool:
        """True when ``method path`` needs no token. HEAD is public where GET is.

        ``path`` is the decoded request path, or an OpenAPI path whose ``{param}`` segments
        match a variable segment of the list.
        """
        if method == "HEAD":
            method = "GET"
        if (method, path) in self._exact:
            return True
        if not self._templates:
            return False
        parts = path.split("/")
        for template in self._templates:
            if template.method == method and _segments_match(template.segments, parts):
                return True
        return False


def _segments_match(template: tuple[str | None, ...], parts: list[str]) -> bool:
    if len(template) != len(parts):
        return False
    for expected, actual in zip(template, parts, strict=True):
        if expected is None:
            # A variable segment is one real name: never empty, never "." or "..".
            if not actual or actual in _DOT_SEGMENTS:
                return False
        elif expected != actual:
            return False
    return True


_DEFAULT = PublicRoutes()


def is_public(method: str, path: str) -> bool:
    """Whether ``method path`` is on :data:`PUBLIC_ROUTES`."""
    return _DEFAULT.matches(method, path)
