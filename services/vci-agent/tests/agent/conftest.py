"""Fixtures of the agent tests: a signing key made at run time, a signed AOSIMG1 image and a
Range-capable HTTP file server on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from google.protobuf.timestamp_pb2 import Timestamp
from keyring.backends import fail
from udsoncan.connections import BaseConnection

from aos.agent.v1 import agent_pb2
from aos_contracts.aosimg import build_image
from servicekit.faults import TcpProxy
from vci_agent.flash import FlashOptions
from vci_agent.jobs import JobRunner
from vci_agent.journal import Journal
from vci_agent.link import AgentLink, Backoff, FrameHandler
from vci_agent.pairing import DeviceCredential, pair
from vci_agent.transport.doip import doip_connection
from vci_agent.uds import UdsTiming
from vci_agent.vehicle import EcuInfo
from vehicle_sim.testing import RunningVehicle


@pytest.fixture(autouse=True)
def no_os_keystore(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the keystore of the user running it: keyring gets its fail backend,
    here and in the agent processes the tests start (they inherit the variable)."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@dataclass(frozen=True)
class SignedImage:
    data: bytes
    signature: bytes
    sha256: bytes
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey


def make_signed_image(
    private_key: Ed25519PrivateKey,
    *,
    ecu_type: str = "DME_B48",
    version: str = "1.1.0",
    payload_size: int = 384 * 1024,
) -> SignedImage:
    data = build_image(ecu_type, version, os.urandom(payload_size))
    return SignedImage(
        data=data,
        signature=private_key.sign(data),
        sha256=hashlib.sha256(data).digest(),
        public_key=private_key.public_key(),
        private_key=private_key,
    )


FAKE_J2534_SOURCE = Path(__file__).parent / "fake_j2534" / "fake_j2534.c"


@pytest.fixture(scope="session")
def fake_j2534_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake J2534 library (C, POSIX sockets; it bridges to the simulator over DoIP),
    compiled for this session. Point it at a vehicle with ``AOS_FAKE_J2534_DOIP=host:port``
    and ``AOS_FAKE_J2534_ROUTES=REQUEST_ID:LOGICAL_ADDRESS,...``."""
    compiler = shutil.which("cc")
    if sys.platform == "win32" or compiler is None:
        pytest.skip("the fake J2534 library needs a POSIX C compiler (cc) to be built")
    library = tmp_path_factory.mktemp("fake_j2534") / "libfake_j2534.so"
    subprocess.run(
        [compiler, "-std=c99", "-O1", "-shared", "-fPIC", "-o", str(library), FAKE_J2534_SOURCE],
        check=True,
    )
    return library


@pytest.fixture(scope="session")
def release_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="session")
def signed_image(release_key: Ed25519PrivateKey) -> SignedImage:
    return make_signed_image(release_key)


# A minimal HTTP/1.1 file server with single-range Range support, on loopback, in a thread.
# It stands for any HTTP server holding release images and records the Range headers asked.
# ``cuts`` makes it a line that drops: the n-th answer sends the full headers, then only
# ``cuts[n]`` bytes of its body, and closes the connection.


@dataclass
class ServedFile:
    data: bytes
    honour_range: bool = True
    cuts: list[int] = field(default_factory=list)
    ranges_seen: list[str | None] = field(default_factory=list)


@contextmanager
def _serve(
    data: bytes, *, honour_range: bool = True, cuts: tuple[int, ...] = ()
) -> Iterator[tuple[str, ServedFile]]:
    served = ServedFile(data, honour_range, list(cuts))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked = self.headers.get("Range")
            served.ranges_seen.append(asked)
            match = re.fullmatch(r"bytes=(\d+)-", asked or "")
            if match and served.honour_range:
                start = int(match.group(1))
                if start >= len(served.data):
                    self.send_response(416)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = served.data[start:]
                self.send_response(206)
                self.send_header(
                    "Content-Range", f"bytes {start}-{len(served.data) - 1}/{len(served.data)}"
                )
            else:
                body = served.data
                self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if served.cuts:
                body = body[: served.cuts.pop(0)]
                self.close_connection = True
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/images/dme.img", served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def range_server() -> Callable[..., AbstractContextManager[tuple[str, ServedFile]]]:
    return _serve


@pytest.fixture(scope="session")
def signed_image_factory() -> Callable[..., SignedImage]:
    return make_signed_image


# --- The real programming service (uvicorn on loopback, real PostgreSQL) --------------------


@dataclass
class ProgrammingServer:
    url: str
    app: Any
    token_issuer: Any

    def auth(self, organization_id: uuid.UUID) -> dict[str, str]:
        token = self.token_issuer.token(organization_id=organization_id)
        return {"Authorization": f"Bearer {token}"}

    async def pairing_code(self, organization_id: uuid.UUID) -> str:
        async with httpx.AsyncClient(base_url=self.url) as http:
            answer = await http.post("/agents/pairing-codes", headers=self.auth(organization_id))
        assert answer.status_code == 201, answer.text
        return str(answer.json()["code"])

    async def grant_programming_time(self, organization_id: uuid.UUID) -> None:
        """Project a PROGRAMMING entitlement as the service's billing consumer would."""
        from aos.events.v1 import billing_pb2
        from programming.consumers.entitlements import handle_entitlement_granted
        from servicekit.consumer import IncomingEvent

        start = datetime.now(UTC) - timedelta(minutes=5)
        valid_from, valid_until = Timestamp(), Timestamp()
        valid_from.FromDatetime(start)
        valid_until.FromDatetime(start + timedelta(hours=1))
        message = billing_pb2.EntitlementGranted(
            entitlement_id=str(uuid.uuid4()),
            organization_id=str(organization_id),
            scope=billing_pb2.SCOPE_PROGRAMMING,
            valid_from=valid_from,
            valid_until=valid_until,
            order_id=str(uuid.uuid4()),
        )
        event = IncomingEvent(
            event_id=uuid.uuid4(),
            event_type=message.DESCRIPTOR.full_name,
            source="billing",
            occurred_at=datetime.now(UTC),
            aggregate_id=message.entitlement_id,
            message=message,
        )
        async with self.app.state.database.transaction() as session:
            await handle_entitlement_granted(session, event)


@pytest.fixture
def programming_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings of the programming service a test changes (parametrize it indirectly)."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
async def programming_server(
    database_factory: Any,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    token_issuer: Any,
    tmp_path: Path,
    programming_overrides: dict[str, Any],
) -> AsyncIterator[ProgrammingServer]:
    """The programming service behind a real uvicorn on a free port."""
    import uvicorn

    from programming.config import Settings
    from programming.main import MIGRATIONS_DIR, create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    values: dict[str, Any] = {
        "database_url": await database_factory.create(MIGRATIONS_DIR),
        "environment": "test",
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "topic_namespace": topic_namespace,
        "migrate_on_start": False,
        "run_background_workers": False,
        "seed_on_start": True,
        "release_signing_key_file": tmp_path / "keys" / "release.pem",
        "heartbeat_interval_seconds": 1,
        "public_base_url": url,
    }
    settings = Settings(**{**values, **programming_overrides})
    async with token_issuer.http_client() as jwks_http:
        app = create_app(settings, jwks_http=jwks_http)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="on",
            log_config=None,
            ws="websockets-sansio",
        )
        uvicorn_server = uvicorn.Server(config)
        task = asyncio.create_task(uvicorn_server.serve())
        for _ in range(500):
            if uvicorn_server.started:
                break
            await asyncio.sleep(0.01)
        assert uvicorn_server.started
        try:
            yield ProgrammingServer(url=url, app=app, token_issuer=token_issuer)
        finally:
            uvicorn_server.should_exit = True
            await asyncio.wait_for(task, 15)


@pytest.fixture
async def relay_factory() -> AsyncIterator[Callable[[int], Awaitable[tuple[TcpProxy, int]]]]:
    """Starts TCP proxies to a local port, which tests cut, refuse or freeze like a network
    would (servicekit.faults)."""
    relays: list[TcpProxy] = []

    async def start(upstream_port: int) -> tuple[TcpProxy, int]:
        relay = TcpProxy("127.0.0.1", upstream_port)
        relays.append(relay)
        return relay, await relay.start()

    yield start
    for relay in relays:
        await relay.close()


# The simulated G20's ECUs, as an agent's configuration names them.
AGENT_ECUS = (
    EcuInfo(0x0012, "DME", "DME_B48"),
    EcuInfo(0x0040, "BDC", "BDC_G20"),
    EcuInfo(0x0063, "HU", "HU_MGU"),
)


async def _pair_agent(
    server: ProgrammingServer, organization_id: uuid.UUID, *, name: str = "bay 1"
) -> DeviceCredential:
    code = await server.pairing_code(organization_id)

    def trade() -> DeviceCredential:
        with httpx.Client() as client:
            return pair(client, server.url, code, name=name, api_prefix="")

    return await asyncio.to_thread(trade)


@pytest.fixture
def pair_agent() -> Callable[..., Awaitable[DeviceCredential]]:
    """``await pair_agent(server, organization_id)``: a device credential for a new agent."""
    return _pair_agent


@asynccontextmanager
async def _running_agent(
    credential: DeviceCredential,
    sim: RunningVehicle,
    journal: Journal,
    cache: Path,
    *,
    release_key: Ed25519PublicKey | None = None,
    wrap: Callable[[FrameHandler], FrameHandler] | None = None,
    flash_options: FlashOptions | None = None,
    activation_type: Callable[[], int] = lambda: 0x00,
    connect: Callable[[int], BaseConnection] | None = None,
) -> AsyncIterator[AgentLink]:
    # The link first (its handlers reach the runner made next), then the runner on the link.
    def dispatch(frame: agent_pb2.AgentFrame, link: AgentLink) -> Awaitable[None]:
        return runner.handle(frame, link)

    link = AgentLink(
        credential,
        handler=wrap(dispatch) if wrap is not None else dispatch,
        on_welcome=lambda welcome: runner.on_welcome(welcome),
        backoff=Backoff(base=0.05, cap=0.2),
        pending_results=lambda: len(journal.unsynced_results()),
    )
    runner = JobRunner(
        link,
        journal=journal,
        cache_dir=cache,
        release_key=release_key or JobRunner.release_key_from_base64(credential.release_public_key),
        connect=connect
        or (
            lambda address: doip_connection(
                sim.host, sim.port, address, activation_type=activation_type()
            )
        ),
        ecus=AGENT_ECUS,
        flash_options=flash_options or FlashOptions(timing=UdsTiming(p2=3.0), reset_wait=0.05),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(link.run(stop))
    try:
        async with asyncio.timeout(10):
            while not link.connected:
                await asyncio.sleep(0.02)
        yield link
    finally:
        await runner.wait_idle()
        stop.set()
        await asyncio.wait_for(running, 5)


@pytest.fixture
def running_agent() -> Callable[..., AbstractAsyncContextManager[AgentLink]]:
    """``async with running_agent(credential, sim, journal, cache) as link``: the agent's job
    runner and link in this process, connected to the service, flashing the simulator."""
    return _running_agent
