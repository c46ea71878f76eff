"""HTTP endpoints of the identity service (thin: parse, call a use case, shape the answer)."""

from __future__ import annotations

from fastapi import APIRouter

from identity.api import (
    account,
    auth,
    email_changes,
    email_verifications,
    invitations,
    jwks,
    me,
    members,
    organization,
    organizations,
    password_resets,
    totp,
    totp_reset,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    organizations.router,
    email_verifications.router,
    auth.router,
    totp_reset.router,
    totp.router,
    password_resets.router,
    email_changes.router,
    me.router,
    organization.router,
    members.router,
    invitations.router,
    account.router,
    jwks.router,
)
