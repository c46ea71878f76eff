"""Rules of an organisation's members: who may give which role, and invitation states.

Plain Python: the services apply these under the organisation's row lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "INVITATION_TTL",
    "MEMBER_MANAGERS",
    "InvitationState",
    "erased_email",
    "invitation_state",
    "may_manage",
]

INVITATION_TTL = timedelta(days=7)

# The role names as servicekit.roles.Role spells them (kept as text: domain code imports no
# web framework).
OWNER = "owner"
ADMIN = "admin"

# Who manages members, invitations and the company profile.
MEMBER_MANAGERS: frozenset[str] = frozenset({OWNER, ADMIN})

ERASED_NAME = "Erased member"


class InvitationState(StrEnum):
    PENDING = "pending"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


def invitation_state(
    *,
    accepted_at: datetime | None,
    revoked_at: datetime | None,
    expires_at: datetime,
    now: datetime,
) -> InvitationState:
    """The state of an invitation at ``now``; accepted and revoked are final, expiry is not
    (a resend gives a new expiry)."""
    if accepted_at is not None:
        return InvitationState.ACCEPTED
    if revoked_at is not None:
        return InvitationState.REVOKED
    if now >= expires_at:
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def may_manage(
    actor_role: str, *, old_role: str | None = None, new_role: str | None = None
) -> bool:
    """Whether a member of ``actor_role`` may give someone ``new_role`` or act on a member
    holding ``old_role``: owners and admins manage members, and only an owner may grant the
    owner role or act on an owner (demote, deactivate, remove)."""
    if actor_role not in MEMBER_MANAGERS:
        return False
    touches_owner = OWNER in (old_role, new_role)
    return actor_role == OWNER or not touches_owner


def erased_email(user_id: object) -> str:
    """The address a removed member's row keeps: unique, and never deliverable (RFC 2606)."""
    return f"erased-{user_id}@erased.invalid"
