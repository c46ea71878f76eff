"""The refresh-token cookie, and the CSRF check of the routes that read it.

The refresh token lives only in an HttpOnly cookie: every tab of the portal shares one login,
and a script injected into the page cannot read the token. A cookie is sent by the browser on
its own, also with a request another site starts (a cross-site form POST), so the routes that
read it demand proof the request comes from our page: a custom header, which a cross-site form
cannot set and a cross-site fetch cannot send without a CORS preflight we never answer, and,
when the browser names the page's origin, that origin must be ours. SameSite=Strict is a
second fence.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Cookie, Depends, Header, Request, Response

from identity.config import Settings
from identity.errors import CsrfCheckFailedError
from identity.services.tokens import IssuedTokens

__all__ = [
    "CSRF_HEADER",
    "REFRESH_COOKIE",
    "CsrfDep",
    "RefreshCookieDep",
    "clear_refresh_cookie",
    "require_csrf",
    "set_refresh_cookie",
]

REFRESH_COOKIE = "aos_refresh"
CSRF_HEADER = "X-AOS-CSRF"


def set_refresh_cookie(response: Response, tokens: IssuedTokens, *, settings: Settings) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=tokens.refresh_expires_in,
        path=settings.refresh_cookie_path,
        httponly=True,
        samesite="strict",
        # Development and the tests run on plain HTTP, where a Secure cookie would be dropped.
        secure=settings.environment == "production",
    )


def clear_refresh_cookie(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=settings.refresh_cookie_path,
        httponly=True,
        samesite="strict",
        secure=settings.environment == "production",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins(request: Request, settings: Settings) -> set[str]:
    """The portal's origin, and the origin the browser addressed (through the gateway, which
    passes what it saw as X-Forwarded-Proto / X-Forwarded-Host)."""
    origins = {_origin(settings.portal_url)}
    host = request.headers.get("x-forwarded-host") or request.headers.get("host")
    if host:
        scheme = request.headers.get("x-forwarded-proto") or request.url.scheme
        origins.add(f"{scheme}://{host}".lower())
    return origins


def require_csrf(
    request: Request,
    csrf: Annotated[
        str | None,
        Header(
            alias=CSRF_HEADER,
            description="Must be present (any value, the portal sends 1): proves the request "
            "does not come from another site's form.",
        ),
    ] = None,
) -> None:
    """Route dependency: refuse a request another site may have started (403 problem)."""
    if csrf is None:
        raise CsrfCheckFailedError(
            f"This request must carry the header '{CSRF_HEADER}: 1' (the portal sends it; "
            "scripts add it too), which a form on another site cannot send."
        )
    origin = request.headers.get("origin")
    settings: Settings = request.app.state.settings
    if origin is not None and origin.lower() not in _own_origins(request, settings):
        raise CsrfCheckFailedError(
            "This request comes from a page of another site (Origin header), so it is refused."
        )


RefreshCookieDep = Annotated[
    str | None,
    Cookie(
        alias=REFRESH_COOKIE,
        description="The refresh token, set by login as an HttpOnly cookie.",
        max_length=512,
    ),
]
CsrfDep = Depends(require_csrf)
