"""The agents' WebSocket: authentication in the handshake, protocol versions, heartbeats."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import websockets
import websockets.asyncio.client
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.exceptions import ConnectionClosed

from aos.agent.v1 import agent_pb2

Auth = Callable[..., dict[str, str]]
AgentFactory = Callable[..., Awaitable[Any]]


def ws_url(server: str) -> str:
    return "ws" + server.removeprefix("http") + "/agent/ws"


async def pair(http: httpx.AsyncClient, auth: Auth, organization_id: uuid.UUID) -> dict[str, Any]:
    code = (await http.post("/agents/pairing-codes", headers=auth(organization_id))).json()
    paired = await http.post("/agents/pair", json={"code": code["code"], "name": "bay"})
    body: dict[str, Any] = paired.json()
    return body


async def close_code(server: str, headers: dict[str, str], frame: bytes | None = None) -> int:
    async with websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws:
        if frame is not None:
            await ws.send(frame)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def hello(max_version: int = 1) -> bytes:
    return agent_pb2.AgentFrame(
        seq=1, hello=agent_pb2.Hello(min_protocol_version=1, max_protocol_version=max_version)
    ).SerializeToString()


async def test_connection_without_credential_is_closed_4401(server: str) -> None:
    assert await close_code(server, {}) == 4401


async def test_connection_with_unknown_credential_is_closed_4401(server: str) -> None:
    assert await close_code(server, {"Authorization": "Bearer not-a-credential"}) == 4401


async def test_revoked_agent_is_closed_4403(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    paired = await pair(http, auth, organization_id)
    await http.delete(f"/agents/{paired['agent_id']}", headers=auth(organization_id))
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    assert await close_code(server, headers, hello()) == 4403


async def test_first_frame_must_be_hello(server: str, http: httpx.AsyncClient, auth: Auth) -> None:
    paired = await pair(http, auth, uuid.uuid4())
    heartbeat = agent_pb2.AgentFrame(seq=1, heartbeat=agent_pb2.Heartbeat()).SerializeToString()
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    assert await close_code(server, headers, heartbeat) == 4400


async def test_old_agent_gets_upgrade_required_and_is_closed(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    paired = await pair(http, auth, uuid.uuid4())
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    async with websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws:
        old_hello = agent_pb2.AgentFrame(
            seq=7, hello=agent_pb2.Hello(min_protocol_version=0, max_protocol_version=0)
        )
        await ws.send(old_hello.SerializeToString())
        answer = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert answer.WhichOneof("body") == "upgrade_required"
    assert answer.reply_to == 7
    assert answer.upgrade_required.min_protocol_version == 1
    assert "update the AOS VCI agent" in answer.upgrade_required.message
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4426


async def test_hello_gets_welcome_and_agent_is_listed_online(
    server: str, http: httpx.AsyncClient, auth: Auth, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    agent = await paired_agent(organization_id)  # asserts the Welcome
    listed = (await http.get("/agents", headers=auth(organization_id))).json()["items"]
    assert listed[0]["online"] is True
    assert listed[0]["last_seen_at"] is not None
    assert listed[0]["agent_version"] == "0.0.1-test"
    assert listed[0]["id"] == agent.agent_id


async def test_an_agent_is_online_as_soon_as_it_has_its_welcome(
    server: str, http: httpx.AsyncClient, auth: Auth, database_url: str
) -> None:
    """An agent may plan a session the moment Welcome arrives, so it must be online by then.

    The agent's row is held locked so that recording the connection is slow: a Welcome sent
    before the agent was registered arrives while it is still listed offline."""
    organization_id = uuid.uuid4()
    paired = await pair(http, auth, organization_id)
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    engine = create_async_engine(database_url)
    try:
        async with (
            engine.connect() as locker,
            websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws,
        ):
            transaction = await locker.begin()
            await locker.execute(
                text("SELECT id FROM agents WHERE id = :id FOR UPDATE"), {"id": paired["agent_id"]}
            )
            await ws.send(hello())
            welcome = asyncio.ensure_future(ws.recv(decode=False))
            done, _ = await asyncio.wait({welcome}, timeout=1.0)
            if not done:
                await transaction.rollback()
                await welcome
            listed = (await http.get("/agents", headers=auth(organization_id))).json()["items"]
            if done:
                await transaction.rollback()
    finally:
        await engine.dispose()
    assert agent_pb2.AgentFrame.FromString(welcome.result()).WhichOneof("body") == "welcome"
    assert listed[0]["online"] is True


async def test_welcome_carries_protocol_and_agent_id(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    paired = await pair(http, auth, uuid.uuid4())
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    async with websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws:
        await ws.send(hello())
        answer = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
    assert answer.reply_to == 1
    assert answer.welcome.protocol_version == 1
    assert answer.welcome.agent_id == paired["agent_id"]
    assert answer.welcome.heartbeat_interval_seconds > 0


async def test_heartbeat_is_answered_with_reply_to(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    paired = await pair(http, auth, uuid.uuid4())
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    async with websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws:
        await ws.send(hello())
        await ws.recv()
        await ws.send(
            agent_pb2.AgentFrame(seq=2, heartbeat=agent_pb2.Heartbeat()).SerializeToString()
        )
        answer = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
    assert answer.WhichOneof("body") == "heartbeat"
    assert answer.reply_to == 2


async def test_garbage_frame_gets_an_error_frame_not_a_disconnect(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    paired = await pair(http, auth, uuid.uuid4())
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    async with websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws:
        await ws.send(hello())
        await ws.recv()
        await ws.send(b"\xff\xff\xff")
        answer = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
        await ws.send("text frame")
        second = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
    assert answer.error.code == "malformed-frame"
    assert second.error.code == "malformed-frame"


async def test_revoking_a_connected_agent_disconnects_it(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    paired = await pair(http, auth, organization_id)
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    async with websockets.asyncio.client.connect(ws_url(server), additional_headers=headers) as ws:
        await ws.send(hello())
        await ws.recv()
        await http.delete(f"/agents/{paired['agent_id']}", headers=auth(organization_id))
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
    listed = (await http.get("/agents", headers=auth(organization_id))).json()["items"]
    assert listed[0]["online"] is False


async def test_pair_with_blank_name_is_a_validation_problem(http: httpx.AsyncClient) -> None:
    response = await http.post("/agents/pair", json={"code": "ABCD-EFGH", "name": "   "})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
