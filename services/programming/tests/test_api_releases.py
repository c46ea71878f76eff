"""The software catalog: seeded releases, signatures and Range serving of images."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI
from sqlalchemy import update

from aos.agent.v1 import agent_pb2
from aos_contracts.aosimg import parse_image
from programming.db.models import FlashJob
from programming.testing import PREFLIGHT

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.


PROBLEM = "application/problem+json"
VIN = "WBA5F3103MFX12345"


def dme_and_bdc_outdated() -> list[agent_pb2.EcuReport]:
    return [
        agent_pb2.EcuReport(
            logical_address=0x12, name="DME", ecu_type="DME_B48", software_version="1.0.0"
        ),
        agent_pb2.EcuReport(
            logical_address=0x40, name="BDC", ecu_type="BDC_G20", software_version="2.2.0"
        ),
    ]


@dataclass(frozen=True)
class HeldJob:
    """A flash job the service started and the test-side agent holds (it never finishes)."""

    start: agent_pb2.StartJob
    path: str  # the image URL, relative to the service
    agent: Any
    headers: dict[str, str]  # the workshop user's access token

    @property
    def token(self) -> dict[str, str]:
        return {"X-Download-Token": self.start.download_token}


@pytest.fixture
def running_job(
    http: httpx.AsyncClient,
    auth: Auth,
    grant: Grant,
    paired_agent: AgentFactory,
    settings: Any,
) -> Callable[[], Awaitable[HeldJob]]:
    """Start a session (DME then BDC outdated) whose first job, the DME's, stays running."""

    async def start() -> HeldJob:
        organization_id = uuid.uuid4()
        headers = auth(organization_id)
        await grant(organization_id)
        agent = await paired_agent(organization_id, ecus=dme_and_bdc_outdated())
        started: asyncio.Queue[agent_pb2.StartJob] = asyncio.Queue()

        async def hold(job: agent_pb2.StartJob) -> None:
            await started.put(job)

        agent.flash = hold
        planned = await http.post(
            "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
        )
        assert planned.status_code == 201, planned.text
        session_id = planned.json()["id"]
        assert (
            await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        ).is_success
        job = await asyncio.wait_for(started.get(), 10)
        path = job.image_url.removeprefix(settings.public_base_url)
        return HeldJob(start=job, path=path, agent=agent, headers=headers)

    return start


async def releases(client: httpx.AsyncClient, auth: Auth) -> dict[str, dict[str, Any]]:
    response = await client.get("/releases", headers=auth(uuid.uuid4()))
    assert response.status_code == 200
    return {f"{r['ecu_type']} {r['version']}": r for r in response.json()["items"]}


async def test_seed_creates_the_demo_releases(client: httpx.AsyncClient, auth: Auth) -> None:
    assert sorted(await releases(client, auth)) == [
        "BDC_G20 2.3.0",
        "DME_B48 1.0.0",
        "DME_B48 1.1.0",
        "HU_MGU 5.0.1",
    ]


async def test_releases_need_an_access_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/releases")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_image_is_signed_by_the_key_given_to_agents(
    http: httpx.AsyncClient, auth: Auth, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    held = await running_job()
    code = (await http.post("/agents/pairing-codes", headers=held.headers)).json()
    paired = (await http.post("/agents/pair", json={"code": code["code"], "name": "a"})).json()
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(paired["release_public_key"]))
    dme = (await releases(http, auth))["DME_B48 1.1.0"]
    assert held.path == f"/releases/{dme['id']}/image"
    image = (await http.get(held.path, headers=held.token)).content

    public_key.verify(base64.b64decode(dme["signature"]), image)  # raises if wrong
    assert hashlib.sha256(image).hexdigest() == dme["sha256"]
    assert len(image) == dme["size"]
    header = parse_image(image)
    assert (header.ecu_type, header.version) == ("DME_B48", "1.1.0")
    assert dme["memory_address"] == 0x00080000


async def test_whole_image_has_etag_and_accepts_ranges(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    held = await running_job()
    response = await http.get(held.path, headers=held.token)
    assert response.status_code == 200
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == f'"{held.start.image_sha256.hex()}"'
    assert response.headers["content-type"] == "application/octet-stream"


async def test_the_running_jobs_token_downloads_its_image_with_range_and_resumes(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    held = await running_job()
    whole = (await http.get(held.path, headers=held.token)).content

    response = await http.get(held.path, headers={**held.token, "Range": "bytes=1000-5095"})
    assert response.status_code == 206
    assert response.content == whole[1000:5096]
    assert response.headers["content-range"] == f"bytes 1000-5095/{len(whole)}"
    assert response.headers["content-length"] == "4096"

    resumed = await http.get(held.path, headers={**held.token, "Range": "bytes=300000-"})
    assert resumed.status_code == 206
    assert resumed.content == whole[300000:]
    assert hashlib.sha256(whole).digest() == held.start.image_sha256


@pytest.mark.parametrize("range_header", ["bytes=999999999-", "bytes=10-5", "bytes=0-1,4-5"])
async def test_unsatisfiable_range_is_416_with_the_size(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]], range_header: str
) -> None:
    held = await running_job()
    response = await http.get(held.path, headers={**held.token, "Range": range_header})
    assert response.status_code == 416
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["content-range"] == f"bytes */{held.start.image_size}"


async def test_a_workshops_access_token_cannot_download_an_image(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    # Even the workshop whose job is running, with a valid access token, gets no image bytes.
    held = await running_job()
    response = await http.get(held.path, headers={**held.headers, "Range": "bytes=0-99"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "/problems/download-not-authorized"
    assert "X-Download-Token" in response.json()["detail"]


async def test_a_jobs_token_does_not_download_another_image(
    http: httpx.AsyncClient, auth: Auth, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    held = await running_job()  # the DME job runs; the BDC job waits
    bdc = (await releases(http, auth))["BDC_G20 2.3.0"]
    response = await http.get(f"/releases/{bdc['id']}/image", headers=held.token)
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/download-not-authorized"


async def test_another_jobs_token_is_refused(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    first = await running_job()
    second = await running_job()  # another workshop's job, same DME image
    assert first.path == second.path
    assert (await http.get(first.path, headers=first.token)).status_code == 200
    forged = {"X-Download-Token": first.start.download_token[:-2] + "xx"}
    assert (await http.get(second.path, headers=forged)).status_code == 401
    assert (await http.get(second.path, headers=second.headers)).status_code == 401


async def test_a_token_past_its_jobs_deadline_is_refused(
    app: FastAPI, http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    held = await running_job()
    async with app.state.database.transaction() as session:
        await session.execute(
            update(FlashJob)
            .where(FlashJob.id == uuid.UUID(held.start.job_id))
            .values(download_token_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = await http.get(held.path, headers=held.token)
    assert response.status_code == 401


async def test_a_revoked_agents_token_is_refused(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    held = await running_job()
    revoked = await http.delete(f"/agents/{held.agent.agent_id}", headers=held.headers)
    assert revoked.status_code == 200, revoked.text
    response = await http.get(held.path, headers=held.token)
    assert response.status_code == 401


async def test_image_without_any_token_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(f"/releases/{dme['id']}/image")
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/download-not-authorized"


async def test_a_token_in_the_query_string_is_not_accepted(
    http: httpx.AsyncClient, running_job: Callable[[], Awaitable[HeldJob]]
) -> None:
    # Tokens in URLs end up in access logs; the agent sends the header.
    held = await running_job()
    response = await http.get(held.path, params={"token": held.start.download_token})
    assert response.status_code == 401


async def test_image_with_unknown_download_token_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(
        f"/releases/{dme['id']}/image", headers={"X-Download-Token": "forged"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
