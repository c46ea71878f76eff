"""A service in several replicas behind the gateway: ``GATEWAY_<SERVICE>_URL`` lists base URLs.

The replicas are real processes (``replica.py``) on loopback ports; "killed" is SIGKILL, so the
kernel closes their sockets and their port refuses connections, as when a pod or process dies.
"""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from gateway.config import GatewaySettings
from gateway.upstreams import UpstreamPool
from servicekit.settings import load_settings

GatewayFactory = Any  # fixture type from conftest (not importable under --import-mode=importlib)
REPLICA = Path(__file__).parent / "replica.py"


class Replicas:
    """Replica processes of one service, by name."""

    def __init__(self) -> None:
        self.processes: dict[str, asyncio.subprocess.Process] = {}
        self.urls: dict[str, str] = {}

    async def start(self, name: str) -> str:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(REPLICA), name, str(port)
        )
        self.processes[name] = process
        url = f"http://127.0.0.1:{port}"
        self.urls[name] = url
        async with httpx.AsyncClient() as client, asyncio.timeout(30):
            while True:
                if process.returncode is not None:
                    raise RuntimeError(f"replica {name} exited with {process.returncode}")
                try:
                    if (await client.get(f"{url}/healthz")).status_code == 200:
                        return url
                except httpx.TransportError:
                    await asyncio.sleep(0.05)

    async def kill(self, name: str) -> None:
        """SIGKILL, and wait until the process is gone (its sockets closed by the kernel)."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        await process.wait()

    def listed(self, *names: str) -> str:
        """The setting's value: the replicas' base URLs, comma separated."""
        return ",".join(self.urls[name] for name in names)


@pytest.fixture
async def replicas() -> AsyncIterator[Replicas]:
    """Replicas "a" and "b" of the programming service."""
    group = Replicas()
    try:
        await asyncio.gather(group.start("a"), group.start("b"))
        yield group
    finally:
        for process in group.processes.values():
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A base URL whose port is bound but never listens: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


def refusals() -> float:
    value = REGISTRY.get_sample_value(
        "aos_gateway_upstream_connect_failures_total", {"upstream": "programming"}
    )
    return value or 0.0


async def replica_of(gateway: httpx.AsyncClient, auth: dict[str, str], **kwargs: Any) -> str:
    response = await gateway.get("/api/programming/sessions", headers=auth, **kwargs)
    assert response.status_code == 200, response.text
    name: str = response.json()["replica"]
    return name


def ws_url(gateway: httpx.AsyncClient, path: str) -> str:
    return "ws://" + gateway.base_url.netloc.decode() + path


@asynccontextmanager
async def agent_socket(
    gateway: httpx.AsyncClient, auth: dict[str, str]
) -> AsyncIterator[tuple[ClientConnection, str]]:
    """A WebSocket through the gateway and the name of the replica that holds it."""
    async with connect(
        ws_url(gateway, "/api/programming/agent/ws"),
        additional_headers=auth,
        proxy=None,
        open_timeout=10,
    ) as ws:
        async with asyncio.timeout(10):
            name = await ws.recv()
        assert isinstance(name, str)
        yield ws, name


# --- settings ----------------------------------------------------------------------------------


def test_a_comma_separated_setting_lists_every_replica() -> None:
    settings = GatewaySettings(programming_url=" http://10.0.0.5:8104/ , https://pr-b.internal ")

    assert settings.upstreams["programming"] == ("http://10.0.0.5:8104", "https://pr-b.internal")


def test_one_url_is_a_list_of_one() -> None:
    settings = GatewaySettings(billing_url="http://127.0.0.1:9102/")

    assert settings.upstreams["billing"] == ("http://127.0.0.1:9102",)


@pytest.mark.parametrize(
    ("value", "wrong"),
    [
        ("http://127.0.0.1:8104,ftp://files.example", "'ftp://files.example'"),
        ("127.0.0.1:8104", "'127.0.0.1:8104'"),
        ("http://", "'http:'"),
        ("http://127.0.0.1:port", "'http://127.0.0.1:port'"),
        ("http://user:secret@10.0.0.5:8104", "'http://user:secret@10.0.0.5:8104'"),
        ("http://10.0.0.5:8104/?replica=1", "'http://10.0.0.5:8104/?replica=1'"),
    ],
)
def test_an_entry_that_is_not_an_http_base_url_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, wrong: str
) -> None:
    monkeypatch.setenv("GATEWAY_PROGRAMMING_URL", value)

    with pytest.raises(SystemExit) as exited:
        load_settings(GatewaySettings)

    message = str(exited.value)
    assert "GATEWAY_PROGRAMMING_URL:" in message
    assert f"{wrong} is not an http(s) base URL" in message


def test_an_empty_entry_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_AIR_URL", "http://10.0.0.5:8103,,http://10.0.0.6:8103")

    with pytest.raises(SystemExit) as exited:
        load_settings(GatewaySettings)

    assert "GATEWAY_AIR_URL:" in str(exited.value)
    assert "has an empty entry" in str(exited.value)


def test_a_replica_listed_twice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_AIR_URL", "http://10.0.0.5:8103,http://10.0.0.5:8103/")

    with pytest.raises(SystemExit) as exited:
        load_settings(GatewaySettings)

    assert "'http://10.0.0.5:8103' is listed twice" in str(exited.value)


# --- the pool's order --------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_request_starts_at_the_next_replica() -> None:
    pool = UpstreamPool("programming", ["http://a", "http://b", "http://c"], down_seconds=2)

    orders = [pool.candidates() for _ in range(4)]

    assert orders == [
        ("http://a", "http://b", "http://c"),
        ("http://b", "http://c", "http://a"),
        ("http://c", "http://a", "http://b"),
        ("http://a", "http://b", "http://c"),
    ]


def test_a_replica_marked_down_is_tried_last_until_its_time_is_up() -> None:
    clock = FakeClock()
    pool = UpstreamPool("programming", ["http://a", "http://b"], down_seconds=2, clock=clock)
    pool.mark_down("http://a", reason="ClientConnectorError")

    while_down = [pool.candidates() for _ in range(4)]
    clock.now += 2.5
    after = [pool.candidates()[0] for _ in range(4)]

    # Still tried, last: it may be the only one back when the other one fails too.
    assert while_down == [("http://b", "http://a")] * 4
    assert sorted(after) == ["http://a", "http://a", "http://b", "http://b"]


def test_a_replica_that_answers_again_is_no_longer_avoided() -> None:
    clock = FakeClock()
    pool = UpstreamPool("programming", ["http://a", "http://b"], down_seconds=60, clock=clock)
    pool.mark_down("http://a", reason="ClientConnectorError")

    pool.mark_up("http://a")

    assert not pool.is_down("http://a")
    assert sorted(pool.candidates()[0] for _ in range(2)) == ["http://a", "http://b"]


def test_a_single_replica_is_always_tried() -> None:
    pool = UpstreamPool("programming", ["http://a"], down_seconds=60)

    pool.mark_down("http://a", reason="ClientConnectorError")

    assert pool.candidates() == ("http://a",)


# --- through the gateway -----------------------------------------------------------------------


async def test_requests_alternate_between_the_replicas(
    start_gateway: GatewayFactory, replicas: Replicas, auth: dict[str, str]
) -> None:
    async with start_gateway(programming_url=replicas.listed("a", "b")) as gateway:
        seen = [await replica_of(gateway, auth) for _ in range(6)]

    assert seen == ["a", "b"] * 3


async def test_a_killed_replica_is_skipped_and_every_request_reaches_the_other(
    start_gateway: GatewayFactory, replicas: Replicas, auth: dict[str, str]
) -> None:
    async with start_gateway(
        programming_url=replicas.listed("a", "b"), upstream_down_seconds=60
    ) as gateway:
        assert {await replica_of(gateway, auth) for _ in range(2)} == {"a", "b"}
        await replicas.kill("b")
        before = refusals()

        seen = [await replica_of(gateway, auth) for _ in range(6)]
        posted = await gateway.post(
            "/api/programming/sessions", headers=auth, json={"vin": "WAUZZZ8V0KA000001"}
        )

    assert seen == ["a"] * 6
    assert posted.status_code == 200
    assert posted.json()["replica"] == "a"
    assert posted.json()["body_size"] == len(b'{"vin":"WAUZZZ8V0KA000001"}')
    # Refused once, then marked down: the following requests did not knock on it again.
    assert refusals() == before + 1


async def test_a_streamed_upload_goes_whole_to_the_next_replica_when_the_first_refuses(
    start_gateway: GatewayFactory, replicas: Replicas, dead_url: str, auth: dict[str, str]
) -> None:
    chunks = [bytes([n]) * 50_000 for n in range(8)]

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    # The dead one first: the very first request meets it and has to go on to "a".
    async with start_gateway(programming_url=f"{dead_url},{replicas.urls['a']}") as gateway:
        response = await gateway.post(
            "/api/programming/uploads", headers=auth, content=body(), timeout=30
        )

    assert response.status_code == 200, response.text
    assert response.json()["replica"] == "a"
    assert response.json()["body_size"] == sum(len(chunk) for chunk in chunks)


async def test_when_every_replica_refuses_the_client_gets_a_502_problem(
    start_gateway: GatewayFactory, replicas: Replicas, auth: dict[str, str]
) -> None:
    async with start_gateway(programming_url=replicas.listed("a", "b")) as gateway:
        await replicas.kill("a")
        await replicas.kill("b")

        response = await gateway.get("/api/programming/sessions", headers=auth)

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "upstream-unavailable"
    assert "programming is unavailable" in response.json()["detail"]


async def test_a_replica_that_comes_back_gets_requests_again(
    start_gateway: GatewayFactory, replicas: Replicas, auth: dict[str, str]
) -> None:
    async with start_gateway(
        programming_url=replicas.listed("a", "b"), upstream_down_seconds=0
    ) as gateway:
        port = replicas.urls["b"].rsplit(":", 1)[1]
        await replicas.kill("b")
        assert {await replica_of(gateway, auth) for _ in range(4)} == {"a"}
        # "b" restarts on its port (a new process, as a restarted pod behind the same address).
        process = await asyncio.create_subprocess_exec(sys.executable, str(REPLICA), "b2", port)
        replicas.processes["b2"] = process
        replicas.urls["b2"] = replicas.urls["b"]
        async with asyncio.timeout(30):
            while True:
                try:
                    async with httpx.AsyncClient() as client:
                        if (await client.get(f"{replicas.urls['b2']}/healthz")).is_success:
                            break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)

        seen = {await replica_of(gateway, auth) for _ in range(4)}

    assert seen == {"a", "b2"}


async def test_a_websocket_reconnecting_after_its_replica_died_lands_on_the_live_one(
    start_gateway: GatewayFactory, replicas: Replicas, auth: dict[str, str]
) -> None:
    async with start_gateway(programming_url=replicas.listed("a", "b")) as gateway:
        async with agent_socket(gateway, auth) as (ws, first):
            await replicas.kill(first)
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(10):
                    await ws.recv()
        survivor = "b" if first == "a" else "a"
        landed = []
        for _ in range(3):  # round robin would name the dead one every other time
            async with agent_socket(gateway, auth) as (ws, name):
                await ws.send(b"\x10\x03")
                async with asyncio.timeout(10):
                    echoed = await ws.recv()
                landed.append((name, echoed))

    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011
    assert landed == [(survivor, b"\x10\x03")] * 3


async def test_websocket_sessions_alternate_between_the_replicas(
    start_gateway: GatewayFactory, replicas: Replicas, auth: dict[str, str]
) -> None:
    async with start_gateway(programming_url=replicas.listed("a", "b")) as gateway:
        names = []
        for _ in range(4):
            async with agent_socket(gateway, auth) as (_, name):
                names.append(name)

    assert names == ["a", "b", "a", "b"]


async def test_readyz_counts_a_service_ready_while_one_replica_answers(
    start_gateway: GatewayFactory, replicas: Replicas
) -> None:
    async with start_gateway(programming_url=replicas.listed("a", "b")) as gateway:
        await replicas.kill("a")
        one_alive = (await gateway.get("/readyz")).json()["upstreams"]["programming"]
        await replicas.kill("b")
        none_alive = (await gateway.get("/readyz")).json()["upstreams"]["programming"]

    assert one_alive == "ok"
    assert none_alive.startswith("error: ")


async def test_the_merged_openapi_document_comes_from_a_live_replica(
    start_gateway: GatewayFactory, replicas: Replicas, dead_url: str
) -> None:
    async with start_gateway(programming_url=f"{dead_url},{replicas.urls['a']}") as gateway:
        document = json.loads((await gateway.get("/api/openapi.json")).content)

    assert "/api/programming/replica/a" in document["paths"]
    assert "programming" not in document["info"]["description"]
