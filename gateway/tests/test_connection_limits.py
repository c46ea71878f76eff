"""What a client may send before the gateway looks at its request: header size, slow headers,
slow bodies. Checked on ``python -m gateway serve`` as its own process, over raw connections."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from servicekit.testing import raw_exchange

HEADER_LIMIT = 4096
PRODUCTS = "/api/billing/catalog/products"
LIMITS = {
    "GATEWAY_MAX_HEADER_BYTES": str(HEADER_LIMIT),
    "GATEWAY_HEADER_TIMEOUT_SECONDS": "1",
    "GATEWAY_BODY_TIMEOUT_SECONDS": "1",
}


@pytest.fixture(scope="module")
async def port(served_gateway: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[int]:
    log_path = tmp_path_factory.mktemp("gateway-limits") / "gateway.log"
    async with served_gateway(log_path, **LIMITS) as port:
        yield port


def _get(path: str, *, header_value_bytes: int) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: gateway\r\n"
        f"X-Padding: {'a' * header_value_bytes}\r\nConnection: close\r\n\r\n"
    ).encode()


async def test_headers_within_the_limit_are_forwarded(port: int) -> None:
    answer = await raw_exchange(port, _get(PRODUCTS, header_value_bytes=3000))

    assert answer.status == 200


# Just over the limit, and the audit's 8 MB (whose answer must not be lost to a reset while
# the client is still sending).
@pytest.mark.parametrize("header_value_bytes", [5000, 8 * 1024 * 1024])
async def test_headers_over_the_limit_get_431_and_are_not_forwarded(
    port: int, header_value_bytes: int
) -> None:
    # The billing test service behind the gateway has no header limit of its own: a 431 here
    # is the gateway's, so nothing went upstream.
    answer = await raw_exchange(port, _get(PRODUCTS, header_value_bytes=header_value_bytes))

    assert answer.status == 431
    problem = answer.problem()
    assert problem["type"] == "/problems/request-header-too-large"
    assert str(HEADER_LIMIT) in problem["detail"]
    assert answer.headers["connection"] == "close"


async def test_unfinished_headers_get_408_and_the_connection_is_closed(port: int) -> None:
    # No blank line: the headers never end. raw_exchange returns only once the gateway closed.
    answer = await raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: 1")

    assert answer.status == 408
    assert answer.problem()["type"] == "/problems/request-timeout"
    assert answer.headers["connection"] == "close"


async def test_a_body_shorter_than_its_content_length_gets_408_and_the_connection_is_closed(
    port: int, auth: dict[str, str]
) -> None:
    # The upload route reads the whole body before it answers, so the answer waits for it.
    request = (
        "POST /api/identity/uploads HTTP/1.1\r\nHost: gateway\r\n"
        f"Authorization: {auth['Authorization']}\r\n"
        "Content-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n"
        "only forty of the hundred bytes promised"
    ).encode()

    answer = await raw_exchange(port, request)

    assert answer.status == 408
    problem = answer.problem()
    assert problem["type"] == "/problems/request-timeout"
    assert "body" in problem["detail"]


async def test_an_idle_connection_without_a_request_is_closed(port: int) -> None:
    with pytest.raises(AssertionError, match="without answering"):
        await raw_exchange(port, b"")


async def test_a_kept_alive_connection_times_out_the_next_requests_slow_headers(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"
            b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n"  # the second never ends
        )
        await writer.drain()
        async with asyncio.timeout(30):  # a hang guard only; the gateway closes after 1 s
            answers = await reader.read()
    finally:
        writer.close()

    # The status lines (the first answer's body runs straight into the second's status line).
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", answers) == [b"200", b"408"]
