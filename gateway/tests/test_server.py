"""gateway.server: each answer's head leaves in the same write as its body.

The protocol is driven as uvicorn drives it, on a transport that records the writes: how the
bytes are cut into writes is what is under test, and a real socket does not show it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from gateway.server import GatewayHttpProtocol
from servicekit.server import ConnectionLimits

BODY = b'{"items":[]}'


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def app(scope: Any, receive: Any, send: Any) -> None:
    """Reads the whole body, then answers with a start and one body message (as the proxy)."""
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    answer = BODY + body
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]
    status = 204 if scope["path"] == "/empty" else 200
    if status == 204:
        headers, answer = [], b""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


async def streaming_app(scope: Any, receive: Any, send: Any) -> None:
    """An answer of unknown length in three pieces (chunked), as the proxy streams large ones."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for piece in (b"one", b"two"):
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b"three"})


async def exchange(request: bytes, *, answers: int = 1, asgi: Any = app) -> RecordingTransport:
    config = Config(asgi, http="httptools", log_config=None, access_log=False)
    config.load()
    state = ServerState()
    limits = ConnectionLimits(
        max_header_bytes=16 * 1024, header_timeout_seconds=10, body_timeout_seconds=10
    )
    protocol = GatewayHttpProtocol(config, state, {}, limits=limits)
    transport = RecordingTransport()
    protocol.connection_made(transport)
    protocol.data_received(request)
    async with asyncio.timeout(10):
        while state.total_requests < answers:
            await asyncio.sleep(0)
    protocol.connection_lost(None)
    return transport


async def test_the_head_and_the_body_leave_in_one_write() -> None:
    transport = await exchange(b"GET /items HTTP/1.1\r\nHost: gateway\r\n\r\n")

    (write,) = transport.writes
    assert write.startswith(b"HTTP/1.1 200 OK\r\n")
    assert write.endswith(b"\r\n\r\n" + BODY)
    assert b"content-length: 12\r\n" in write


async def test_a_head_request_gets_its_head_alone() -> None:
    transport = await exchange(b"HEAD /items HTTP/1.1\r\nHost: gateway\r\n\r\n")

    (write,) = transport.writes
    assert write.startswith(b"HTTP/1.1 200 OK\r\n")
    assert write.endswith(b"content-length: 12\r\n\r\n")


async def test_an_answer_without_a_body_gets_its_head() -> None:
    transport = await exchange(b"GET /empty HTTP/1.1\r\nHost: gateway\r\n\r\n")

    (write,) = transport.writes
    assert write.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert write.endswith(b"\r\n\r\n")


async def test_100_continue_goes_out_before_the_answer_and_on_its_own() -> None:
    transport = await exchange(
        b"POST /items HTTP/1.1\r\nHost: gateway\r\nExpect: 100-continue\r\n"
        b"Content-Length: 3\r\n\r\nabc"
    )

    assert transport.writes[0] == b"HTTP/1.1 100 Continue\r\n\r\n"
    (answer,) = transport.writes[1:]
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(BODY + b"abc")


async def test_pipelined_requests_are_answered_in_order_each_in_one_write() -> None:
    transport = await exchange(
        b"GET /one HTTP/1.1\r\nHost: gateway\r\n\r\n"
        b"POST /two HTTP/1.1\r\nHost: gateway\r\nContent-Length: 3\r\n\r\ntwo",
        answers=2,
    )

    first, second = transport.writes
    assert first.startswith(b"HTTP/1.1 200 OK\r\n") and first.endswith(BODY)
    assert second.startswith(b"HTTP/1.1 200 OK\r\n") and second.endswith(BODY + b"two")


async def test_connection_close_closes_after_the_whole_answer() -> None:
    transport = await exchange(b"GET /items HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n")

    (write,) = transport.writes
    assert b"connection: close\r\n" in write
    assert write.endswith(BODY)
    assert transport.closed


async def test_a_streamed_answer_sends_its_head_with_the_first_piece_and_the_rest_as_it_comes() -> (
    None
):
    transport = await exchange(b"GET /large HTTP/1.1\r\nHost: gateway\r\n\r\n", asgi=streaming_app)

    first, *rest = transport.writes
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"transfer-encoding: chunked\r\n" in first
    assert first.endswith(b"\r\n\r\n3\r\none\r\n")
    assert rest == [b"3\r\ntwo\r\n", b"5\r\nthree\r\n0\r\n\r\n"]
