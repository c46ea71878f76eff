"""Agents' last-seen times from heartbeats: kept in memory, written in batches
(services/presence.py), never one transaction per heartbeat."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import websockets.asyncio.client
from fastapi import FastAPI
from sqlalchemy import select

from aos.agent.v1 import agent_pb2
from programming.config import Settings
from programming.db.models import Agent
from programming.domain.credentials import digest, new_credential
from programming.main import create_app
from programming.services.presence import PresenceWriter
from programming.services.runtime import Clock
from servicekit.db import Database
from servicekit.testing import TestTokenIssuer, running_app

# Far from the wall clock, so that a time written from it cannot be mistaken for one of these.
HEARTBEAT_AT = datetime(2031, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return lambda: HEARTBEAT_AT


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # No periodic flush within a test unless the test asks for one.
    return {"presence_flush_seconds": 300}


async def add_agent(
    database: Database, *, last_seen_at: datetime | None = None
) -> tuple[uuid.UUID, str]:
    credential = new_credential()
    agent = Agent(
        id=uuid.uuid4(),
        organization_id=uuid.uuid4(),
        name="bay",
        credential_hash=digest(credential),
        created_by=uuid.uuid4(),
        created_at=datetime.now(UTC),
        last_seen_at=last_seen_at,
    )
    async with database.transaction() as session:
        session.add(agent)
    return agent.id, credential


async def last_seen(database: Database, agent_id: uuid.UUID) -> datetime | None:
    async with database.transaction() as session:
        return (
            await session.execute(select(Agent.last_seen_at).where(Agent.id == agent_id))
        ).scalar_one()


def frame(**body: Any) -> bytes:
    return agent_pb2.AgentFrame(**body).SerializeToString()


async def until(check: Callable[[], Awaitable[bool]], *, timeout: float = 10.0) -> None:
    """Poll ``check()`` until it is true; fail after ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.02)


@pytest.fixture
async def connected(app: FastAPI, server: str) -> AsyncIterator[tuple[uuid.UUID, Any]]:
    """An agent (inserted directly) connected and welcomed; yields its id and socket."""
    agent_id, credential = await add_agent(app.state.database)
    url = "ws" + server.removeprefix("http") + "/agent/ws"
    headers = {"Authorization": f"Bearer {credential}"}
    async with websockets.asyncio.client.connect(url, additional_headers=headers) as ws:
        await ws.send(
            frame(seq=1, hello=agent_pb2.Hello(min_protocol_version=1, max_protocol_version=1))
        )
        welcome = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
        assert welcome.WhichOneof("body") == "welcome"
        yield agent_id, ws


async def heartbeat(ws: Any, seq: int) -> None:
    await ws.send(frame(seq=seq, heartbeat=agent_pb2.Heartbeat()))
    answer = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
    assert answer.reply_to == seq


async def test_a_heartbeat_is_remembered_and_written_only_by_the_flush(
    app: FastAPI, connected: tuple[uuid.UUID, Any]
) -> None:
    agent_id, ws = connected
    database: Database = app.state.database
    presence: PresenceWriter = app.state.runtime.presence
    at_connect = await last_seen(database, agent_id)
    assert at_connect is not None and at_connect < HEARTBEAT_AT

    await heartbeat(ws, 2)
    await heartbeat(ws, 3)  # handled in order: the first one's time is recorded by now

    assert presence.pending == {agent_id: HEARTBEAT_AT}
    assert await last_seen(database, agent_id) == at_connect
    assert await presence.flush() == 1
    assert await last_seen(database, agent_id) == HEARTBEAT_AT
    assert presence.pending == {}


async def test_the_agents_list_shows_the_flushed_time(
    app: FastAPI,
    connected: tuple[uuid.UUID, Any],
    http: httpx.AsyncClient,
    token_issuer: TestTokenIssuer,
) -> None:
    agent_id, ws = connected
    async with app.state.database.transaction() as session:
        organization_id = (
            await session.execute(select(Agent.organization_id).where(Agent.id == agent_id))
        ).scalar_one()
    await heartbeat(ws, 2)
    await heartbeat(ws, 3)
    await app.state.runtime.presence.flush()
    token = token_issuer.token(organization_id=organization_id)
    listed = (await http.get("/agents", headers={"Authorization": f"Bearer {token}"})).json()
    assert [item["last_seen_at"] for item in listed["items"]] == ["2031-05-04T12:00:00Z"]


@pytest.mark.parametrize("settings_overrides", [{"presence_flush_seconds": 0.1}])
async def test_pending_times_are_written_every_flush_period(
    app: FastAPI, connected: tuple[uuid.UUID, Any]
) -> None:
    agent_id, ws = connected
    await heartbeat(ws, 2)

    async def written() -> bool:
        return await last_seen(app.state.database, agent_id) == HEARTBEAT_AT

    await until(written)


async def test_a_flush_never_moves_last_seen_backwards(app: FastAPI, server: str) -> None:
    database: Database = app.state.database
    agent_id, _ = await add_agent(database, last_seen_at=HEARTBEAT_AT)
    writer = PresenceWriter(database, flush_seconds=300)
    writer.seen(agent_id, HEARTBEAT_AT - timedelta(minutes=1))

    assert await writer.flush() == 0
    assert await last_seen(database, agent_id) == HEARTBEAT_AT


async def test_one_flush_writes_many_agents_and_leaves_unknown_ids_alone(
    app: FastAPI, server: str
) -> None:
    database: Database = app.state.database
    agents = [(await add_agent(database))[0] for _ in range(3)]
    writer = PresenceWriter(database, flush_seconds=300)
    for number, agent_id in enumerate(agents):
        writer.seen(agent_id, HEARTBEAT_AT + timedelta(seconds=number))
    writer.seen(uuid.uuid4(), HEARTBEAT_AT)  # revoked and deleted meanwhile: nothing to update

    assert await writer.flush() == 3
    assert [await last_seen(database, agent_id) for agent_id in agents] == [
        HEARTBEAT_AT + timedelta(seconds=number) for number in range(3)
    ]


async def test_times_are_kept_when_the_database_is_away() -> None:
    # Nothing listens on port 1: every connection is refused.
    dead = Database("postgresql+asyncpg://aos:aos@127.0.0.1:1/aos_programming")
    agent_id = uuid.uuid4()
    writer = PresenceWriter(dead, flush_seconds=300)
    try:
        writer.seen(agent_id, HEARTBEAT_AT)
        with pytest.raises(ConnectionRefusedError):
            await writer.flush()
        writer.seen(agent_id, HEARTBEAT_AT - timedelta(seconds=5))  # older: does not win
        assert writer.pending == {agent_id: HEARTBEAT_AT}
    finally:
        await dead.dispose()


async def test_pending_times_are_written_at_shutdown(
    settings: Settings, token_issuer: TestTokenIssuer, database_url: str
) -> None:
    async with token_issuer.http_client() as jwks_http:
        app = create_app(settings, jwks_http=jwks_http)
        async with running_app(app):
            agent_id, _ = await add_agent(app.state.database)
            app.state.runtime.presence.seen(agent_id, HEARTBEAT_AT)
    database = Database(database_url, pool_size=1)
    try:
        assert await last_seen(database, agent_id) == HEARTBEAT_AT
    finally:
        await database.dispose()


async def test_a_flush_larger_than_a_batch_writes_every_agent(app: FastAPI, server: str) -> None:
    database: Database = app.state.database
    agents = [(await add_agent(database))[0] for _ in range(5)]
    writer = PresenceWriter(database, flush_seconds=300, batch_size=2)
    for agent_id in agents:
        writer.seen(agent_id, HEARTBEAT_AT)

    assert await writer.flush() == 5
    assert writer.pending == {}
    assert {await last_seen(database, agent_id) for agent_id in agents} == {HEARTBEAT_AT}
