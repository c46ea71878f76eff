"""Agent updates end to end: the programming service publishes the builds of its builds folder
(signed with its release key), lists and serves them, offers the newest one for an agent's
platform in Welcome (and in UpgradeRequired), and the agent installs it over its executable.

Real programming service (uvicorn on loopback, real PostgreSQL); the builds are small files
named like single-file builds (test_dist.py runs the real PyInstaller build).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from udsoncan.connections import BaseConnection

from aos.agent.v1 import agent_pb2
from vci_agent.agent import run_agent
from vci_agent.link import AgentLink, Backoff, UpgradeRequiredError
from vci_agent.pairing import DeviceCredential
from vci_agent.update import SelfUpdater

NEWEST = b"\x7fELF newest linux build" * 300
OLDER = b"\x7fELF older linux build" * 200
WINDOWS = b"MZ newest windows build" * 250
FILES = {
    "aos-vci-agent-9.9.9-linux-x86_64": NEWEST,
    "aos-vci-agent-0.0.9-linux-x86_64": OLDER,
    "aos-vci-agent-9.9.9-windows-x86_64.exe": WINDOWS,
    "README.txt": b"not a build",
}
PLATFORM = "linux-x86_64"


@pytest.fixture
def programming_overrides(tmp_path: Path) -> dict[str, Any]:
    """The service publishes the builds of a folder, as make agent-dist leaves it."""
    builds = tmp_path / "builds"
    builds.mkdir()
    for name, data in FILES.items():
        (builds / name).write_bytes(data)
    newest = "aos-vci-agent-9.9.9-linux-x86_64"
    (builds / f"{newest}.sha256").write_text(f"{hashlib.sha256(NEWEST).hexdigest()}  {newest}\n")
    return {"agent_builds_dir": builds}


def _no_vehicle(address: int) -> BaseConnection:
    raise AssertionError("no job runs in these tests: the vehicle is never asked for")


def _release_key(credential: DeviceCredential) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(credential.release_public_key))


async def _welcome(credential: DeviceCredential, *, platform_tag: str) -> agent_pb2.Welcome:
    """Connect once with ``platform_tag`` in Hello and return the Welcome."""
    welcomed: asyncio.Future[agent_pb2.Welcome] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()

    async def on_welcome(welcome: agent_pb2.Welcome) -> None:
        welcomed.set_result(welcome)
        stop.set()

    async def ignore(frame: agent_pb2.AgentFrame, link: AgentLink) -> None:
        pass

    link = AgentLink(
        credential,
        handler=ignore,
        on_welcome=on_welcome,
        backoff=Backoff(base=0.05, cap=0.2),
        platform_tag=platform_tag,
    )
    async with asyncio.timeout(20):
        await link.run(stop)
    return welcomed.result()


async def test_welcome_offers_the_newest_signed_build_of_the_agents_platform(
    programming_server: Any, pair_agent: Any
) -> None:
    credential = await pair_agent(programming_server, uuid.uuid4())

    welcome = await _welcome(credential, platform_tag=PLATFORM)

    assert welcome.HasField("update")
    offer = welcome.update
    assert (offer.version, offer.platform, offer.size) == ("9.9.9", PLATFORM, len(NEWEST))
    assert offer.sha256 == hashlib.sha256(NEWEST).digest()
    _release_key(credential).verify(offer.signature, NEWEST)  # raises if it does not verify
    async with httpx.AsyncClient() as http:
        served = await http.get(offer.url)  # no credential needed
    assert served.status_code == 200 and served.content == NEWEST


async def test_an_agent_from_source_or_of_another_platform_is_offered_nothing_of_linux(
    programming_server: Any, pair_agent: Any
) -> None:
    credential = await pair_agent(programming_server, uuid.uuid4())

    from_source = await _welcome(credential, platform_tag="")
    macos = await _welcome(credential, platform_tag="macos-arm64")
    windows = await _welcome(credential, platform_tag="windows-x86_64")

    assert not from_source.HasField("update")
    assert not macos.HasField("update")
    assert (windows.update.platform, windows.update.size) == ("windows-x86_64", len(WINDOWS))
    assert windows.update.url.endswith("/file")


async def test_upgrade_required_carries_the_build_to_update_to(
    programming_server: Any, pair_agent: Any
) -> None:
    credential = await pair_agent(programming_server, uuid.uuid4())

    async def ignore(frame: agent_pb2.AgentFrame, link: AgentLink) -> None:
        pass

    too_old = AgentLink(credential, handler=ignore, protocol_versions=(0, 0), platform_tag=PLATFORM)
    with pytest.raises(UpgradeRequiredError) as refused:
        async with asyncio.timeout(20):
            await too_old.run(asyncio.Event())

    assert refused.value.update is not None
    assert refused.value.update.version == "9.9.9"
    assert refused.value.update.sha256 == hashlib.sha256(NEWEST).digest()


async def test_a_connected_agent_installs_the_offered_build_and_stops(
    programming_server: Any, pair_agent: Any, tmp_path: Path
) -> None:
    credential = await pair_agent(programming_server, uuid.uuid4())
    executable = tmp_path / "bin" / "aos-vci-agent"
    executable.parent.mkdir()
    executable.write_bytes(b"the running 0.1.0 build")
    executable.chmod(0o755)
    lines: list[str] = []
    updater = SelfUpdater(
        executable,
        release_key=_release_key(credential),
        running_version="0.1.0",
        platform="linux",
        report=lines.append,
    )
    async with asyncio.timeout(30):
        installed = await run_agent(
            credential,
            state_dir=tmp_path / "state",
            connect=_no_vehicle,
            ecus=(),
            stop=asyncio.Event(),  # nobody sets it: the update stops the agent
            updater=updater,
            platform_tag=PLATFORM,
        )

    assert installed == "9.9.9"
    assert executable.read_bytes() == NEWEST
    assert sorted(p.name for p in executable.parent.iterdir()) == [executable.name]
    assert lines[-1] == f"agent 9.9.9 installed as {executable}"
    assert "agent 9.9.9: downloaded 100%" in "\n".join(lines[:-1])


async def test_an_up_to_date_agent_installs_nothing(
    programming_server: Any, pair_agent: Any, tmp_path: Path
) -> None:
    credential = await pair_agent(programming_server, uuid.uuid4())
    executable = tmp_path / "aos-vci-agent"
    executable.write_bytes(b"the running 9.9.9 build")
    updater = SelfUpdater(executable, release_key=_release_key(credential), running_version="9.9.9")

    welcome = await _welcome(credential, platform_tag=PLATFORM)
    # The service offers only newer builds than the Hello's agent_version (0.1.0 here); the
    # updater still refuses one that is not newer than the version it runs.
    assert await updater.consider(welcome.update) is False

    assert executable.read_bytes() == b"the running 9.9.9 build"
    assert updater.installed is None


async def test_the_downloads_list_shows_every_build_with_sha256_and_signature(
    programming_server: Any, pair_agent: Any
) -> None:
    organization_id = uuid.uuid4()
    credential = await pair_agent(programming_server, organization_id)
    async with httpx.AsyncClient(base_url=programming_server.url) as http:
        anonymous = await http.get("/agent-builds")
        listed = await http.get("/agent-builds", headers=programming_server.auth(organization_id))
        missing = await http.get(f"/agent-builds/{uuid.uuid4()}/file")

    assert anonymous.status_code == 401
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert sorted(item["file_name"] for item in items) == sorted(
        name for name in FILES if name.startswith("aos-vci-agent-")
    )
    key = _release_key(credential)
    async with httpx.AsyncClient() as http:
        for item in items:
            data = FILES[item["file_name"]]
            assert item["size"] == len(data)
            assert item["sha256"] == hashlib.sha256(data).hexdigest()
            key.verify(base64.b64decode(item["signature"]), data)
            served = await http.get(item["url"])
            assert served.content == data
            assert served.headers["content-disposition"] == (
                f'attachment; filename="{item["file_name"]}"'
            )
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


class _CutStream(httpx.SyncByteStream):
    """A response body that breaks off, as a dropped connection does, after ``after`` bytes."""

    def __init__(self, inner: httpx.SyncByteStream, after: int) -> None:
        self._inner = inner
        self._after = after

    def __iter__(self) -> Iterator[bytes]:
        passed = 0
        for chunk in self._inner:
            if passed + len(chunk) >= self._after:
                yield chunk[: self._after - passed]
                raise httpx.ReadError("the connection dropped (cut by the test)")
            passed += len(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _CutFirstDownload(httpx.BaseTransport):
    """Real HTTP to the service; the first answer's body breaks off after ``after`` bytes."""

    def __init__(self, after: int) -> None:
        self._inner = httpx.HTTPTransport()
        self._after = after
        self.requests: list[httpx.Request] = []
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self._inner.handle_request(request)
        self.statuses.append(response.status_code)
        if len(self.requests) > 1:
            return response
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CutStream(response.stream, self._after),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


async def test_a_download_cut_short_is_resumed_from_the_service_with_range(
    programming_server: Any, pair_agent: Any, tmp_path: Path
) -> None:
    credential = await pair_agent(programming_server, uuid.uuid4())
    executable = tmp_path / "aos-vci-agent"
    executable.write_bytes(b"the running 0.1.0 build")
    transport = _CutFirstDownload(after=4000)
    lines: list[str] = []
    updater = SelfUpdater(
        executable,
        release_key=_release_key(credential),
        running_version="0.1.0",
        platform="linux",
        report=lines.append,
        client_factory=lambda: httpx.Client(transport=transport),
        retry_delay=0,
    )

    welcome = await _welcome(credential, platform_tag=PLATFORM)
    assert await updater.consider(welcome.update) is True

    assert executable.read_bytes() == NEWEST
    first, resumed = transport.requests
    assert "Range" not in first.headers
    assert resumed.headers["Range"] == "bytes=4000-"
    assert resumed.headers["If-Range"] == f'"{hashlib.sha256(NEWEST).hexdigest()}"'
    assert transport.statuses == [200, 206]  # the service sent only the missing bytes
    assert any("download interrupted at 4000 of" in line for line in lines)
