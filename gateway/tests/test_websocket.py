"""WebSockets through the gateway to a real service, with the `websockets` client library."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from prometheus_client import generate_latest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from gateway.config import GatewaySettings
from gateway.main import create_app
from servicekit.testing import TestTokenIssuer

# Fixture types from conftest (not importable under --import-mode=importlib).
GatewayFactory = Any
Services = Any


def ws_url(gateway: httpx.AsyncClient, path: str) -> str:
    return "ws://" + gateway.base_url.netloc.decode() + path


@asynccontextmanager
async def open_ws(
    gateway: httpx.AsyncClient, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
) -> AsyncIterator[ClientConnection]:
    async with connect(
        ws_url(gateway, path), additional_headers=headers, proxy=None, open_timeout=10, **kwargs
    ) as ws:
        yield ws


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Wait for the server to close; the (code, reason) it closed with."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(10):
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None, "the connection dropped without a close frame"
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_text_and_binary_messages_are_echoed_through_the_gateway(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with open_ws(gateway, "/api/programming/ws/echo", headers=auth) as ws:
        await ws.send("héllo")
        text = await ws.recv()
        await ws.send(b"\x00\x01\xfe\xff")
        data = await ws.recv()

    assert text == "héllo"
    assert data == b"\x00\x01\xfe\xff"


async def test_many_large_messages_arrive_whole_and_in_order(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    blocks = [bytes([n]) * 200_000 for n in range(40)]  # 8 MB each way, larger than any buffer
    sent = hashlib.sha256(b"".join(blocks)).hexdigest()
    received = hashlib.sha256()

    async with open_ws(gateway, "/api/programming/ws/echo", headers=auth) as ws:

        async def writer() -> None:
            for block in blocks:
                await ws.send(block)

        writing = asyncio.create_task(writer())
        for _ in blocks:
            received.update(await ws.recv(decode=False))
        await writing

    assert received.hexdigest() == sent


def _paused_writing(app: Any) -> bool:
    """Whether one of the service's WebSocket connections is paused writing: its transport's
    buffer is over the high-water mark because the peer stopped reading (uvicorn clears the
    protocol's ``writable`` event in ``pause_writing``)."""
    connections = app.state.uvicorn_server.server_state.connections
    return any(
        hasattr(protocol, "writable") and not protocol.writable.is_set() for protocol in connections
    )


async def _held_back(app: Any) -> int:
    """Wait until the flood is held back for good and return how many messages it sent: the
    service is paused writing and stays so, with nothing more sent, while the event loop (which
    runs the gateway, the service and the client of this test) turns a few hundred times. A
    pause that the gateway would drain by reading on shows up as progress within those turns."""
    while True:
        if _paused_writing(app):
            sent = app.state.flood_sent
            for _ in range(300):
                await asyncio.sleep(0)
            if _paused_writing(app) and app.state.flood_sent == sent:
                return int(sent)
        await asyncio.sleep(0.01)


async def test_a_client_that_does_not_read_holds_back_the_service(
    gateway: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    count, size = 128, 512 * 1024  # 64 MiB: more than every buffer on the way together
    path = f"/api/programming/ws/flood?count={count}&size={size}"
    # max_queue=1: the client library itself holds at most one unread message; no compression,
    # which would shrink these repetitive messages to nothing on the client leg.
    async with open_ws(
        gateway, path, headers=auth, max_queue=1, max_size=size, compression=None
    ) as ws:
        # Not reading: the gateway must stop reading the service, so TCP flow control holds
        # the service's writing before it has sent everything.
        async with asyncio.timeout(30):
            sent_while_stalled = await _held_back(services.programming)
        received = 0
        async with asyncio.timeout(30):
            async for message in ws:
                received += len(message)

    assert sent_while_stalled < count
    assert received == count * size
    assert services.programming.state.flood_sent == count


async def test_handshake_headers_and_query_reach_the_service(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    headers = {**auth, "X-Request-ID": "ws-trace-1", "X-Forwarded-For": "203.0.113.7"}
    async with open_ws(gateway, "/api/programming/ws/hello?job=7&x=a%2Fb", headers=headers) as ws:
        seen = json.loads(await ws.recv())
        request_id = ws.response.headers["x-request-id"]

    assert seen["path"] == "/ws/hello"
    assert seen["query"] == "job=7&x=a%2Fb"
    assert seen["headers"]["authorization"] == auth["Authorization"]
    assert seen["headers"]["x-request-id"] == "ws-trace-1"
    assert seen["headers"]["x-forwarded-for"] == "203.0.113.7, 127.0.0.1"
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert request_id == "ws-trace-1"


async def test_subprotocol_offered_by_the_client_is_the_one_the_service_chose(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with open_ws(
        gateway, "/api/programming/ws/echo", headers=auth, subprotocols=["aos.agent.v1", "other"]
    ) as ws:
        assert ws.subprotocol == "aos.agent.v1"


async def test_service_close_code_and_reason_reach_the_client(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with open_ws(gateway, "/api/programming/ws/close/4409", headers=auth) as ws:
        code, reason = await closed_with(ws)

    assert (code, reason) == (4409, "closing with 4409")


async def test_client_close_code_reaches_the_service(
    gateway: httpx.AsyncClient, services: Services, auth: dict[str, str]
) -> None:
    closes: list[tuple[int, str]] = services.programming.state.client_closes
    async with open_ws(gateway, "/api/programming/ws/echo", headers=auth) as ws:
        await ws.send("ping")
        await ws.recv()
        await ws.close(code=4321, reason="done here")

    async with asyncio.timeout(10):
        while (4321, "done here") not in closes:
            await asyncio.sleep(0.02)


async def test_handshake_refused_by_the_service_reaches_the_client_with_its_status(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with open_ws(gateway, "/api/programming/ws/refuse", headers=auth):
            pass

    response = refused.value.response
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert b"programming refused the WebSocket with HTTP 403" in response.body
    assert response.headers["x-request-id"]


async def test_service_that_is_down_closes_the_client_with_1011(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with open_ws(gateway, "/api/air/ws", headers=auth) as ws:
        code, reason = await closed_with(ws)

    assert code == 1011
    assert reason == "air is unavailable; retry shortly."


async def test_websocket_without_token_is_closed_with_4401_before_reaching_the_service(
    gateway: httpx.AsyncClient, services: Services
) -> None:
    hits = services.programming.state.ws_hits
    async with open_ws(gateway, "/api/programming/ws/echo") as ws:
        code, reason = await closed_with(ws)

    assert code == 4401
    assert "Authorization: Bearer" in reason
    assert services.programming.state.ws_hits == hits


async def test_websocket_with_a_foreign_token_is_closed_with_4401(
    gateway: httpx.AsyncClient, services: Services, token_issuer: TestTokenIssuer
) -> None:
    hits = services.programming.state.ws_hits
    headers = {"Authorization": f"Bearer {token_issuer.token()}"}
    async with open_ws(gateway, "/api/programming/ws/echo", headers=headers) as ws:
        code, _ = await closed_with(ws)

    assert code == 4401
    assert services.programming.state.ws_hits == hits


async def test_websocket_to_an_unknown_service_is_closed_with_4404(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with open_ws(gateway, "/api/nosuch/ws", headers=auth) as ws:
        code, reason = await closed_with(ws)

    assert code == 4404
    assert "nosuch" in reason


async def test_agent_socket_is_public_at_the_edge_and_binary_frames_come_first(
    gateway: httpx.AsyncClient,
) -> None:
    # A device credential, not a JWT: only the programming service can check it.
    headers = {"Authorization": "Device dev-123.secret"}
    async with open_ws(gateway, "/api/programming/agent/ws", headers=headers) as ws:
        first = [await ws.recv() for _ in range(3)]
        await ws.send(b"ack")
        echoed = await ws.recv()

    assert first == [b"\x00\x01", bytes(range(256)), b"\xff" * 70_000]
    assert echoed == b"ack"


async def test_agent_socket_without_credential_gets_the_services_4401(
    gateway: httpx.AsyncClient,
) -> None:
    async with open_ws(gateway, "/api/programming/agent/ws") as ws:
        code, reason = await closed_with(ws)

    assert (code, reason) == (4401, "device credential required")


async def test_message_over_the_size_limit_closes_with_1009(
    start_gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with (
        start_gateway(websocket_max_message_bytes=1024) as gateway,
        open_ws(gateway, "/api/programming/ws/echo", headers=auth) as ws,
    ):
        await ws.send(b"x" * 512)
        assert await ws.recv() == b"x" * 512
        await ws.send(b"x" * 2048)  # echoed by the service: too large for the gateway
        code, _ = await closed_with(ws)

    assert code == 1009


async def test_websocket_sessions_and_messages_are_counted_in_metrics(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    async with open_ws(gateway, "/api/programming/ws/echo", headers=auth) as ws:
        await ws.send("one")
        await ws.recv()
    # The gateway counts the session when it has ended on its side too.
    pattern = re.compile(
        r'aos_gateway_websocket_sessions_total\{outcome="proxied",upstream="programming"\} '
        r"([0-9.]+)"
    )
    async with asyncio.timeout(10):
        # The gateway under test runs in this process: its registry is what the metrics
        # listener would export.
        while not (match := pattern.search(generate_latest().decode())):
            await asyncio.sleep(0.02)

    metrics = generate_latest().decode()
    assert float(match.group(1)) >= 1
    assert re.search(
        r'aos_gateway_websocket_messages_total\{direction="to_service",upstream="programming"\} '
        r"[1-9]",
        metrics,
    )
    assert re.search(
        r'aos_gateway_websocket_messages_total\{direction="to_client",upstream="programming"\} '
        r"[1-9]",
        metrics,
    )


async def test_websocket_is_closed_with_1013_while_the_signing_keys_are_unreachable(
    start_gateway: GatewayFactory, services: Services, auth: dict[str, str]
) -> None:
    unreachable = f"{services.urls['air']}/.well-known/jwks.json"
    async with (
        start_gateway(jwks_url=unreachable) as gateway,
        open_ws(gateway, "/api/programming/ws/echo", headers=auth) as ws,
    ):
        code, _ = await closed_with(ws)

    assert code == 1013


async def test_websocket_beyond_the_session_limit_is_closed_with_1013(
    start_gateway: GatewayFactory, auth: dict[str, str]
) -> None:
    async with (
        start_gateway(websocket_max_sessions=1) as gateway,
        open_ws(gateway, "/api/programming/ws/echo", headers=auth) as first,
    ):
        await first.send("in")
        assert await first.recv() == "in"
        async with open_ws(gateway, "/api/programming/ws/echo", headers=auth) as second:
            code, reason = await closed_with(second)
        await first.send("still in")
        assert await first.recv() == "still in"

    assert code == 1013
    assert "too many WebSockets" in reason


async def test_without_the_denial_extension_a_refused_handshake_closes_with_4000_plus_status(
    services: Services, auth: dict[str, str]
) -> None:
    # Driven as a bare ASGI app: a server without "websocket.http.response" in the scope.
    settings = GatewaySettings(
        **{f"{name}_url": url for name, url in services.urls.items()},
        jwks_url=f"{services.urls['identity']}/.well-known/jwks.json",
    )
    app = create_app(settings)
    scope = {
        "type": "websocket",
        "scheme": "ws",
        "path": "/api/programming/ws/refuse",
        "raw_path": b"/api/programming/ws/refuse",
        "query_string": b"",
        "headers": [(b"authorization", auth["Authorization"].encode())],
        "subprotocols": [],
        "client": ("127.0.0.1", 50000),
        "extensions": {},
    }
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    incoming.put_nowait({"type": "websocket.connect"})
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async with app.lifespan():
        await app(scope, incoming.get, send)

    assert [message["type"] for message in sent] == ["websocket.accept", "websocket.close"]
    assert sent[1]["code"] == 4403
