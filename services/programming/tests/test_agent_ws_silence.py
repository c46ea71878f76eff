"""An agent that stops sending frames is disconnected and no longer online."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import websockets
import websockets.asyncio.client
from websockets.exceptions import ConnectionClosed

from aos.agent.v1 import agent_pb2

Auth = Callable[..., dict[str, str]]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"heartbeat_interval_seconds": 1}


async def test_silent_agent_is_closed_after_three_heartbeat_intervals(
    server: str, http: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    code = (await http.post("/agents/pairing-codes", headers=auth(organization_id))).json()
    paired = (await http.post("/agents/pair", json={"code": code["code"], "name": "a"})).json()
    url = "ws" + server.removeprefix("http") + "/agent/ws"
    headers = {"Authorization": f"Bearer {paired['credential']}"}
    async with websockets.asyncio.client.connect(url, additional_headers=headers) as ws:
        hello = agent_pb2.AgentFrame(seq=1, hello=agent_pb2.Hello(max_protocol_version=1))
        await ws.send(hello.SerializeToString())
        welcome = agent_pb2.AgentFrame.FromString(await ws.recv(decode=False))
        assert welcome.welcome.heartbeat_interval_seconds == 1
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    listed = (await http.get("/agents", headers=auth(organization_id))).json()["items"]
    assert listed[0]["online"] is False
