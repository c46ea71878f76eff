"""The proxy's HTTP/1.1 client against a scripted service on a real loopback socket.

Each test's service reads requests off the wire as bytes and answers with exact bytes, so what
the client sends and how it reads odd but valid answers (interim 1xx, HEAD, chunked, close) is
checked byte for byte.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from gateway.upstream_client import (
    UpstreamBrokenError,
    UpstreamClient,
    UpstreamConnectError,
)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


class Service:
    """A loopback server running ``handler`` per connection; counts connections, keeps requests."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.requests: list[bytes] = []
        self.url = ""
        self.tasks: set[asyncio.Task[None]] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.tasks.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def head(self, reader: asyncio.StreamReader) -> bytes:
        """The next request's head (through the blank line), recorded."""
        head = await reader.readuntil(b"\r\n\r\n")
        self.requests.append(head)
        return head


@asynccontextmanager
async def service(handler: Callable[[Service], Handler]) -> AsyncIterator[Service]:
    holder = Service(lambda r, w: asyncio.sleep(0))
    holder.handler = handler(holder)
    server = await asyncio.start_server(holder._serve, "127.0.0.1", 0)
    holder.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield holder
    finally:
        server.close()
        for task in holder.tasks:
            task.cancel()
        await asyncio.gather(*holder.tasks, return_exceptions=True)


def client(**overrides: float) -> UpstreamClient:
    settings: dict[str, float] = {
        "connect_timeout": 5.0,
        "read_timeout": 5.0,
        "keepalive_seconds": 60.0,
        "max_connections": 0,
    }
    settings.update(overrides)
    return UpstreamClient(
        connect_timeout=settings["connect_timeout"],
        read_timeout=settings["read_timeout"],
        keepalive_seconds=settings["keepalive_seconds"],
        max_connections=int(settings["max_connections"]),
    )


def answering(*answers: bytes) -> Callable[[Service], Handler]:
    """A service that answers each request on a connection with the next of ``answers`` (the
    last one repeats)."""

    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            index = 0
            while True:
                await svc.head(reader)
                writer.write(answers[min(index, len(answers) - 1)])
                await writer.drain()
                index += 1

        return handle

    return make


async def get(http: UpstreamClient, url: str, method: str = "GET") -> tuple[int, bytes]:
    async with await http.request(url, method, "/x", [], None) as response:
        return response.status, await response.read()


async def test_the_request_head_is_sent_as_given_with_the_services_host() -> None:
    http = client()
    async with service(answering(OK)) as svc:
        headers = [(b"x-request-id", b"r1"), (b"accept", b"*/*")]
        response = await http.request(svc.url, "GET", "/items/a%2Fb?q=1", headers, None)
        async with response:
            await response.read()

    host = svc.url.removeprefix("http://").encode()
    assert svc.requests == [
        b"GET /items/a%2Fb?q=1 HTTP/1.1\r\nhost: " + host + b"\r\n"
        b"x-request-id: r1\r\naccept: */*\r\n\r\n"
    ]


async def test_consecutive_requests_reuse_one_connection() -> None:
    http = client()
    async with service(answering(OK)) as svc:
        answers = [await get(http, svc.url) for _ in range(3)]

    assert answers == [(200, b"ok")] * 3
    assert svc.connections == 1


async def test_an_answer_with_connection_close_is_not_reused() -> None:
    closing = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
    http = client()
    async with service(answering(closing)) as svc:
        answers = [await get(http, svc.url) for _ in range(2)]

    assert answers == [(200, b"ok")] * 2
    assert svc.connections == 2


async def test_a_bytes_body_goes_with_its_length_in_the_same_write() -> None:
    http = client()
    async with (
        service(answering(OK)) as svc,
        await http.request(svc.url, "POST", "/x", [], b'{"a":1}') as response,
    ):
        status = response.status

    assert status == 200
    assert svc.requests[0].endswith(b"content-length: 7\r\n\r\n")


async def test_a_post_without_a_body_says_its_length_is_zero() -> None:
    http = client()
    async with service(answering(OK)) as svc, await http.request(svc.url, "POST", "/x", [], None):
        pass

    assert svc.requests[0].endswith(b"content-length: 0\r\n\r\n")


async def body_of(chunks: list[bytes]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


def reading_body(length: int | None) -> Callable[[Service], Handler]:
    """Answers with the request body it read (by Content-Length, or chunked)."""

    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await svc.head(reader)
            if length is not None:
                body = await reader.readexactly(length)
            else:
                body = b""
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    chunk = await reader.readexactly(size + 2)
                    if size == 0:
                        break
                    body += chunk[:-2]
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()

        return handle

    return make


async def test_a_streamed_body_of_unknown_length_is_sent_chunked() -> None:
    http = client()
    async with service(reading_body(None)) as svc:
        response = await http.request(svc.url, "PUT", "/x", [], body_of([b"abc", b"", b"defg"]))
        async with response:
            echoed = await response.read()

    assert b"transfer-encoding: chunked\r\n" in svc.requests[0]
    assert echoed == b"abcdefg"


async def test_a_streamed_body_of_declared_length_is_sent_as_it_is() -> None:
    http = client()
    async with service(reading_body(7)) as svc:
        response = await http.request(
            svc.url, "PUT", "/x", [], body_of([b"abc", b"defg"]), body_length=7
        )
        async with response:
            echoed = await response.read()

    assert svc.requests[0].endswith(b"content-length: 7\r\n\r\n")
    assert echoed == b"abcdefg"


async def test_an_interim_answer_is_skipped_for_the_final_one() -> None:
    early = b"HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n" + OK
    http = client()
    async with (
        service(answering(early)) as svc,
        await http.request(svc.url, "GET", "/x", [], None) as response,
    ):
        headers = response.raw_headers
        body = await response.read()

    assert (response.status, body) == (200, b"ok")
    assert headers == [(b"content-length", b"2")]


async def test_header_names_come_in_lower_case_with_their_values_as_sent() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Trace-ID: AbC\r\n\r\nok"
    http = client()
    async with (
        service(answering(answer)) as svc,
        await http.request(svc.url, "GET", "/x", [], None) as response,
    ):
        body = await response.read()

    assert response.raw_headers == [(b"content-length", b"2"), (b"x-trace-id", b"AbC")]
    assert (response.content_length, body) == (2, b"ok")


async def test_an_answer_to_head_has_no_body_and_the_next_request_still_works() -> None:
    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while True:
                request = await svc.head(reader)
                # HEAD: the length the body would have, and no body.
                head = request.startswith(b"HEAD ")
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n" if head else OK)
                await writer.drain()

        return handle

    http = client()
    async with service(make) as svc:
        first = await get(http, svc.url, "HEAD")
        second = await get(http, svc.url)

    assert first == (200, b"")
    assert second == (200, b"ok")


async def test_a_chunked_answer_arrives_whole() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"
    )
    http = client()
    async with service(answering(chunked)) as svc:
        async with await http.request(svc.url, "GET", "/x", [], None) as response:
            length = response.content_length
            pieces = [piece async for piece in response.iter_chunks()]
        again = await get(http, svc.url)

    assert length is None
    assert b"".join(pieces) == b"abcdefg"
    assert again == (200, b"abcdefg")
    assert svc.connections == 1


async def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as bound:  # bound, never listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}"

        with pytest.raises(UpstreamConnectError) as refused:
            await client().request(url, "GET", "/x", [], None)

    assert not refused.value.timed_out


async def test_an_answer_that_is_not_http_is_a_broken_error() -> None:
    http = client()
    async with service(answering(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")) as svc:
        with pytest.raises(UpstreamBrokenError):
            await http.request(svc.url, "GET", "/x", [], None)


async def test_a_service_that_closes_mid_body_is_a_broken_error() -> None:
    http = client()
    cut = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf"

    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await svc.head(reader)
            writer.write(cut)
            await writer.drain()

        return handle

    async with service(make) as svc, await http.request(svc.url, "GET", "/x", [], None) as response:
        with pytest.raises(UpstreamBrokenError):
            await response.read()


async def test_a_silent_service_is_a_timeout() -> None:
    http = client(read_timeout=0.2)

    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await svc.head(reader)
            await reader.read()  # never answers; ends when the client gives up

        return handle

    async with service(make) as svc:
        with pytest.raises(TimeoutError):
            await http.request(svc.url, "GET", "/x", [], None)


async def test_at_the_connection_limit_a_request_waits_for_a_free_connection() -> None:
    http = client(max_connections=1)
    release = asyncio.Event()
    arrived = asyncio.Event()

    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while True:
                await svc.head(reader)
                arrived.set()
                await release.wait()
                writer.write(OK)
                await writer.drain()

        return handle

    async with service(make) as svc:
        first = asyncio.create_task(get(http, svc.url))
        second = asyncio.create_task(get(http, svc.url))
        await arrived.wait()
        held = (len(svc.requests), len(http._slot_waiters))
        release.set()
        answers = await asyncio.gather(first, second)

    assert held == (1, 1)  # one request at the service, the other waiting for the connection
    assert answers == [(200, b"ok")] * 2
    assert svc.connections == 1


async def test_an_answer_before_the_streamed_body_is_sent_whole_is_passed_on() -> None:
    refusal = b"HTTP/1.1 413 Content Too Large\r\ncontent-length: 3\r\nconnection: close\r\n\r\nbig"

    def make(svc: Service) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await svc.head(reader)  # refuses at once, reads none of the body
            writer.write(refusal)
            await writer.drain()

        return handle

    async def endless() -> AsyncIterator[bytes]:
        block = b"x" * 65536
        for _ in range(512):  # 32 MiB: far more than the socket buffers hold
            yield block

    http = client()
    async with service(make) as svc:
        response = await http.request(svc.url, "POST", "/upload", [], endless())
        async with response:
            body = await response.read()

    assert (response.status, body) == (413, b"big")
