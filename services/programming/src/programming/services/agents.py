"""Pairing agents, listing and revoking them, authenticating their credential."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from programming.db.agents import AgentRepository
from programming.db.models import Agent
from programming.domain.credentials import (
    digest,
    new_credential,
    new_pairing_code,
    normalize_pairing_code,
)
from programming.errors import AgentNotFoundError, InvalidPairingCodeError

__all__ = [
    "IssuedCode",
    "PairedAgent",
    "authenticate_agent",
    "create_pairing_code",
    "get_agent",
    "list_agents",
    "pair_agent",
    "revoke_agent",
]


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class PairedAgent:
    agent: Agent
    credential: str  # shown once, stored only as its SHA-256


async def create_pairing_code(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    ttl_seconds: int,
) -> IssuedCode:
    now = datetime.now(UTC)
    code = new_pairing_code()
    expires_at = now + timedelta(seconds=ttl_seconds)
    await AgentRepository(session).add_pairing_code(
        digest(code),
        organization_id=organization_id,
        created_by=user_id,
        created_at=now,
        expires_at=expires_at,
    )
    return IssuedCode(code=code, expires_at=expires_at)


async def pair_agent(session: AsyncSession, *, code: str, name: str) -> PairedAgent:
    """Trade a pairing code for a new agent and its credential.

    Raises InvalidPairingCodeError for a code that is malformed, or (with one and the same
    answer) unknown, expired or used.
    """
    normalized = normalize_pairing_code(code)
    if normalized is None:
        raise InvalidPairingCodeError(
            "A pairing code has 8 letters and digits, like ABCD-EFGH; copy it from the portal."
        )
    now = datetime.now(UTC)
    repository = AgentRepository(session)
    claimed = await repository.claim_pairing_code(digest(normalized), now=now)
    if claimed is None:
        # One answer whether the code is unknown, used or expired: telling them apart would
        # tell a guesser which codes exist (and that a workshop is pairing right now).
        raise InvalidPairingCodeError(
            "This pairing code cannot be used: it is wrong, used already or expired. Create a "
            "new one in the portal (codes are single use and valid for 10 minutes)."
        )
    credential = new_credential()
    agent = Agent(
        id=uuid.uuid4(),
        organization_id=claimed.organization_id,
        name=name,
        credential_hash=digest(credential),
        created_by=claimed.created_by,
        created_at=now,
    )
    await repository.add(agent)
    claimed.agent_id = agent.id
    return PairedAgent(agent=agent, credential=credential)


async def list_agents(session: AsyncSession, organization_id: uuid.UUID) -> Sequence[Agent]:
    return await AgentRepository(session).list(organization_id)


async def get_agent(
    session: AsyncSession, agent_id: uuid.UUID, *, organization_id: uuid.UUID
) -> Agent:
    """The organisation's agent; raises AgentNotFoundError (also for other organisations')."""
    agent = await AgentRepository(session).get(agent_id, organization_id=organization_id)
    if agent is None:
        raise AgentNotFoundError(f"Your organisation has no agent {agent_id}.")
    return agent


async def revoke_agent(
    session: AsyncSession, agent_id: uuid.UUID, *, organization_id: uuid.UUID
) -> Agent:
    """Revoke the agent's credential (idempotent); raises AgentNotFoundError."""
    agent = await get_agent(session, agent_id, organization_id=organization_id)
    if agent.revoked_at is None:
        agent.revoked_at = datetime.now(UTC)
    return agent


async def authenticate_agent(session: AsyncSession, credential: str) -> Agent | None:
    """The agent holding ``credential`` (revoked ones too: the caller decides), or None."""
    return await AgentRepository(session).by_credential(digest(credential))
