"""Pairing, listing and revoking agents."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from programming.api.deps import Manager, RuntimeDep, Technician
from programming.api.schemas import (
    AgentList,
    AgentRead,
    ConnectedVehicleRead,
    PairCreate,
    PairingCodeRead,
    PairRead,
)
from programming.errors import (
    AgentNotFoundError,
    AgentOfflineError,
    AgentTimeoutError,
    InvalidPairingCodeError,
)
from programming.services import agents, sessions
from programming.services.agent_link import AgentConnection
from programming.services.signing import public_key_base64, public_key_pem
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["agents"])

# WebSocket close code for a revoked agent (4000 + the HTTP status it stands for).
CLOSE_REVOKED = 4403


@router.post("/agents/pairing-codes", status_code=status.HTTP_201_CREATED)
async def create_pairing_code(
    principal: Manager, session: SessionDep, runtime: RuntimeDep
) -> PairingCodeRead:
    """A single-use code (valid 10 minutes) to pair a VCI agent with your organisation."""
    issued = await agents.create_pairing_code(
        session,
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        ttl_seconds=runtime.settings.pairing_code_ttl_seconds,
    )
    return PairingCodeRead(code=issued.code, expires_at=issued.expires_at)


@router.post(
    "/agents/pair",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(InvalidPairingCodeError),
)
async def pair(body: PairCreate, session: SessionDep, runtime: RuntimeDep) -> PairRead:
    """Called by the agent (no access token): trade a pairing code for a device credential."""
    paired = await agents.pair_agent(session, code=body.code, name=body.name)
    return PairRead(
        agent_id=paired.agent.id,
        credential=paired.credential,
        release_public_key=public_key_base64(runtime.release_key),
        release_public_key_pem=public_key_pem(runtime.release_key),
    )


@router.get("/agents")
async def list_agents(principal: Technician, session: SessionDep, runtime: RuntimeDep) -> AgentList:
    found = await agents.list_agents(session, principal.organization_id)
    online = await runtime.cluster.online(agent.id for agent in found)
    return AgentList(items=[AgentRead.of(agent, online=agent.id in online) for agent in found])


@router.get(
    "/agents/{agent_id}/vehicle",
    responses=problem_responses(AgentNotFoundError, AgentOfflineError, AgentTimeoutError),
)
async def connected_vehicle(
    agent_id: uuid.UUID, principal: Technician, runtime: RuntimeDep
) -> ConnectedVehicleRead:
    """Read the vehicle the agent is connected to: VIN, model series and each ECU's software
    version (no programming pass needed)."""
    vehicle = await sessions.read_connected_vehicle(
        runtime, agent_id, organization_id=principal.organization_id
    )
    return ConnectedVehicleRead.of(vehicle)


@router.delete("/agents/{agent_id}", responses=problem_responses(AgentNotFoundError))
async def revoke_agent(
    agent_id: uuid.UUID,
    principal: Manager,
    session: SessionDep,
    runtime: RuntimeDep,
    request: Request,
) -> AgentRead:
    """Revoke the agent's credential; a connected agent is disconnected at once."""
    agent = await agents.revoke_agent(session, agent_id, organization_id=principal.organization_id)
    link = await runtime.cluster.link(agent.id)
    if link is not None:
        if isinstance(link, AgentConnection):
            runtime.registry.unregister(link)
        await link.disconnect(CLOSE_REVOKED, "agent revoked")
    return AgentRead.of(agent, online=False)  # revoked: offline whatever the link says
