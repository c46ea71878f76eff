"""Pairing and the agent link against the real programming service (uvicorn on loopback,
real PostgreSQL); a TCP relay in between lets a test cut the link like a network would."""

from __future__ import annotations

import asyncio
import base64
import random
import signal
import stat
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from aos.agent.v1 import agent_pb2
from vci_agent.cli import main
from vci_agent.credentials import load_credential, save_credential
from vci_agent.link import AgentLink, Backoff, LinkRefusedError, UpgradeRequiredError
from vci_agent.pairing import DeviceCredential, PairingError, pair


@pytest.fixture
def server(programming_server: Any) -> str:
    return str(programming_server.url)


@pytest.fixture
def pairing_code(programming_server: Any) -> Callable[[], Awaitable[str]]:
    organization_id = uuid.uuid4()
    return lambda: programming_server.pairing_code(organization_id)


async def _pair(server: str, code: str) -> DeviceCredential:
    def trade() -> DeviceCredential:
        with httpx.Client() as client:
            # Straight to the service: no gateway here, so no /api/programming prefix.
            return pair(client, server, code, name="bay 3", api_prefix="")

    return await asyncio.to_thread(trade)


async def _ignore(frame: agent_pb2.AgentFrame, link: AgentLink) -> None:
    return None


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_pairing_stores_a_credential_only_the_user_can_read(
    server: str, pairing_code: Callable[[], Awaitable[str]], tmp_path: Path
) -> None:
    credential = await _pair(server, await pairing_code())
    path = tmp_path / "state" / "credential.json"

    save_credential(path, credential, keystore=None)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_credential(path, keystore=None) == credential
    assert uuid.UUID(credential.agent_id)
    assert len(base64.b64decode(credential.release_public_key)) == 32


async def test_pairing_with_an_unknown_code_is_refused(server: str) -> None:
    with pytest.raises(PairingError, match="pairing refused"):
        await _pair(server, "NOPE-NOPE")


async def test_pairing_code_works_only_once(
    server: str, pairing_code: Callable[[], Awaitable[str]]
) -> None:
    code = await pairing_code()
    await _pair(server, code)

    with pytest.raises(PairingError):
        await _pair(server, code)


async def test_pair_command_stores_the_credential_in_the_config_dir(
    server: str, pairing_code: Callable[[], Awaitable[str]], tmp_path: Path
) -> None:
    argv = ["--config-dir", str(tmp_path / "config"), "pair", "--server", server]
    argv += ["--code", await pairing_code(), "--api-prefix", ""]

    code = await asyncio.to_thread(main, argv)

    assert code == 0
    stored = load_credential(tmp_path / "config" / "credential.json", keystore=None)
    assert stored.server == server
    assert stat.S_IMODE((tmp_path / "config" / "credential.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
async def test_connect_command_goes_online_and_stops_cleanly_on_a_stop_signal(
    programming_server: Any, tmp_path: Path, stop_signal: signal.Signals
) -> None:
    organization_id = uuid.uuid4()
    config = ["--config-dir", str(tmp_path / "config"), "--state-dir", str(tmp_path / "state")]
    code = await programming_server.pairing_code(organization_id)
    paired = await asyncio.to_thread(
        main,
        [*config, "pair", "--server", programming_server.url, "--code", code, "--api-prefix", ""],
    )
    assert paired == 0
    agent = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vci_agent",
        *config,
        "connect",
        "--port",
        "9",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with httpx.AsyncClient(base_url=programming_server.url) as http:
            async with asyncio.timeout(20):
                while True:
                    listed = await http.get(
                        "/agents", headers=programming_server.auth(organization_id)
                    )
                    if any(a["online"] for a in listed.json()["items"]):
                        break
                    await asyncio.sleep(0.1)
        agent.send_signal(stop_signal)
        out, _ = await asyncio.wait_for(agent.communicate(), 15)
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()

    assert agent.returncode == 0
    assert b"agent stopped" in out


def test_loading_a_missing_credential_says_to_pair(tmp_path: Path) -> None:
    with pytest.raises(PairingError, match="not paired"):
        load_credential(tmp_path / "missing.json", keystore=None)


async def test_link_says_hello_and_gets_welcome_for_its_agent_id(
    server: str, pairing_code: Callable[[], Awaitable[str]]
) -> None:
    credential = await _pair(server, await pairing_code())
    welcomes: list[agent_pb2.Welcome] = []

    async def on_welcome(welcome: agent_pb2.Welcome) -> None:
        welcomes.append(welcome)

    stop = asyncio.Event()
    link = AgentLink(credential, handler=_ignore, on_welcome=on_welcome)
    running = asyncio.create_task(link.run(stop))
    await _until(lambda: bool(welcomes))
    stop.set()
    await asyncio.wait_for(running, 5)

    assert welcomes[0].agent_id == credential.agent_id
    assert welcomes[0].protocol_version == agent_pb2.PROTOCOL_VERSION_1


async def test_link_stays_up_through_silence_thanks_to_heartbeats(
    programming_server: Any,
) -> None:
    organization_id = uuid.uuid4()
    code = await programming_server.pairing_code(organization_id)
    credential = await _pair(programming_server.url, code)
    headers = programming_server.auth(organization_id)

    async def last_seen() -> datetime:
        async with httpx.AsyncClient(base_url=programming_server.url) as http:
            [agent] = (await http.get("/agents", headers=headers)).json()["items"]
        assert agent["online"]
        return datetime.fromisoformat(agent["last_seen_at"])

    stop = asyncio.Event()
    link = AgentLink(credential, handler=_ignore)
    running = asyncio.create_task(link.run(stop))
    try:
        await _until(lambda: link.connections == 1)
        # Heartbeat interval 1 s: an agent silent for 3 s is taken as gone. Nothing but
        # heartbeats is sent, and the service sees the agent for longer than that.
        connected = await last_seen()
        async with asyncio.timeout(20):
            while await last_seen() - connected <= timedelta(seconds=4):
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)

    assert link.connections == 1


async def test_link_reconnects_after_the_network_cuts_it(
    server: str, pairing_code: Callable[[], Awaitable[str]], relay_factory: Any
) -> None:
    credential = await _pair(server, await pairing_code())
    relay, relay_port = await relay_factory(int(server.rsplit(":", 1)[1]))
    relayed = DeviceCredential(
        server=f"http://127.0.0.1:{relay_port}",
        api_prefix="",
        agent_id=credential.agent_id,
        credential=credential.credential,
        release_public_key=credential.release_public_key,
    )
    stop = asyncio.Event()
    link = AgentLink(relayed, handler=_ignore, backoff=Backoff(base=0.05, cap=0.2))
    running = asyncio.create_task(link.run(stop))
    try:
        await _until(lambda: link.connections == 1)
        relay.reset()
        await _until(lambda: link.connections == 2)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)


async def _relayed(
    server: str, pairing_code: Callable[[], Awaitable[str]], relay_factory: Any
) -> tuple[Any, DeviceCredential]:
    credential = await _pair(server, await pairing_code())
    relay, relay_port = await relay_factory(int(server.rsplit(":", 1)[1]))
    relayed = DeviceCredential(
        server=f"http://127.0.0.1:{relay_port}",
        api_prefix="",
        agent_id=credential.agent_id,
        credential=credential.credential,
        release_public_key=credential.release_public_key,
    )
    return relay, relayed


class _Ceiling(random.Random):
    """No jitter: every backoff delay is its ceiling."""

    def uniform(self, low: float, high: float) -> float:
        return high


async def test_the_backoff_is_capped_at_5_s_and_starts_afresh_after_a_good_connection(
    server: str, pairing_code: Callable[[], Awaitable[str]], relay_factory: Any
) -> None:
    relay, relayed = await _relayed(server, pairing_code, relay_factory)
    delays: list[float] = []

    async def pause(stop: asyncio.Event, seconds: float) -> None:
        delays.append(seconds)  # recorded, not slept
        if len(delays) == 7:
            relay.restore()  # the service is back after 7 failed attempts
        await asyncio.sleep(0)

    relay.refuse()
    stop = asyncio.Event()
    link = AgentLink(relayed, handler=_ignore, rng=_Ceiling(), pause=pause)
    running = asyncio.create_task(link.run(stop))
    try:
        await _until(lambda: link.connections == 1)
        relay.refuse()  # and away again
        await _until(lambda: len(delays) >= 10)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)

    assert delays[:7] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert delays[7] == 0.0  # the good connection ended: reconnect at once
    assert delays[8:10] == [0.5, 1.0]  # then back off from the start


async def test_a_busy_service_is_retried_on_the_longer_busy_backoff() -> None:
    # The replica refuses with 1013 "try again later" (its admission found no turn, see
    # programming's services/admission.py): a refused storm must spread over tens of seconds,
    # not come back within the ordinary 5 s cap. A server on loopback answers only that close.
    from websockets.asyncio.server import ServerConnection, serve

    refused = 0

    async def busy(websocket: ServerConnection) -> None:
        nonlocal refused
        refused += 1
        await websocket.close(1013, "the service is busy; connect again in a few seconds")

    delays: list[float] = []

    async def pause(stop: asyncio.Event, seconds: float) -> None:
        delays.append(seconds)  # recorded, not slept
        if len(delays) == 6:
            stop.set()
        await asyncio.sleep(0)

    async with serve(busy, "127.0.0.1", 0) as busy_server:
        port = next(iter(busy_server.sockets)).getsockname()[1]
        credential = DeviceCredential(
            server=f"http://127.0.0.1:{port}",
            api_prefix="",
            agent_id="a",
            credential="c",
            release_public_key="",
        )
        link = AgentLink(credential, handler=_ignore, rng=_Ceiling(), pause=pause)
        await asyncio.wait_for(link.run(asyncio.Event()), 10)

    assert refused == 6
    assert delays == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert link.connections == 0


SLOW_HEARTBEATS = {"heartbeat_interval_seconds": 60}


@pytest.mark.parametrize("programming_overrides", [SLOW_HEARTBEATS], indirect=True)
async def test_a_link_that_stops_answering_is_noticed_by_ping_and_reconnected(
    server: str, pairing_code: Callable[[], Awaitable[str]], relay_factory: Any
) -> None:
    # Heartbeats every 60 s: the heartbeat silence limit alone would notice after 180 s.
    relay, relayed = await _relayed(server, pairing_code, relay_factory)
    stop = asyncio.Event()
    link = AgentLink(relayed, handler=_ignore, ping_interval=0.5, ping_timeout=0.5)
    running = asyncio.create_task(link.run(stop))
    try:
        await _until(lambda: link.connections == 1)
        relay.freeze()  # nothing passes any more, and nothing closes
        await _until(lambda: link.connections == 2, timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)


async def test_an_agent_too_old_gets_upgrade_required_and_stops(
    server: str, pairing_code: Callable[[], Awaitable[str]]
) -> None:
    credential = await _pair(server, await pairing_code())
    link = AgentLink(credential, handler=_ignore, protocol_versions=(0, 0))

    with pytest.raises(UpgradeRequiredError, match="update the AOS VCI agent"):
        await asyncio.wait_for(link.run(asyncio.Event()), 10)


async def test_an_unknown_credential_stops_the_link_instead_of_retrying(server: str) -> None:
    stranger = DeviceCredential(
        server=server,
        api_prefix="",
        agent_id="x",
        credential="not-a-credential",
        release_public_key="",
    )
    link = AgentLink(stranger, handler=_ignore)

    with pytest.raises(LinkRefusedError, match="pair the agent again"):
        await asyncio.wait_for(link.run(asyncio.Event()), 10)


def test_backoff_grows_exponentially_and_is_capped() -> None:
    backoff = Backoff(base=0.5, cap=4.0)

    class Highest:
        def uniform(self, low: float, high: float) -> float:
            return high

    ceilings = [backoff.delay(attempt, rng=Highest()) for attempt in range(6)]  # type: ignore[arg-type]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_backoff_is_jittered_between_zero_and_its_ceiling() -> None:
    import random

    rng = random.Random(7)
    delays = [Backoff(base=1.0, cap=8.0).delay(3, rng=rng) for _ in range(200)]

    assert all(0 <= delay <= 8.0 for delay in delays)
    assert len({round(delay, 6) for delay in delays}) > 150
