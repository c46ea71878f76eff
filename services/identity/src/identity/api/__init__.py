"""HTTP endpoints of the identity service (thin: parse, call a use case, shape the answer)."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api import (
    auth,
    email_verifications,
    invitations,
    jwks,
    me,
    members,
    organization,
    organizations,
    totp,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    organizations.router,
    email_verifications.router,
    auth.router,
    totp.router,
    me.router,
    organization.router,
    members.router,
    invitations.router,
    jwks.router,
)
