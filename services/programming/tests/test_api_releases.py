"""The software catalog: seeded releases, signatures and Range serving of images."""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from programming.domain.images import parse_header

Auth = Callable[..., dict[str, str]]
PROBLEM = "application/problem+json"


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
    client: httpx.AsyncClient, auth: Auth
) -> None:
    organization_id = uuid.uuid4()
    code = (await client.post("/agents/pairing-codes", headers=auth(organization_id))).json()
    paired = (await client.post("/agents/pair", json={"code": code["code"], "name": "a"})).json()
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(paired["release_public_key"]))
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    image = (
        await client.get(f"/releases/{dme['id']}/image", headers=auth(organization_id))
    ).content

    public_key.verify(base64.b64decode(dme["signature"]), image)  # raises if wrong
    assert hashlib.sha256(image).hexdigest() == dme["sha256"]
    assert len(image) == dme["size"]
    assert parse_header(image)[:2] == ("DME_B48", "1.1.0")
    assert dme["memory_address"] == 0x00080000


async def test_whole_image_has_etag_and_accepts_ranges(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(f"/releases/{dme['id']}/image", headers=auth(uuid.uuid4()))
    assert response.status_code == 200
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == f'"{dme["sha256"]}"'
    assert response.headers["content-type"] == "application/octet-stream"


async def test_range_request_returns_exactly_those_bytes(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    url = f"/releases/{dme['id']}/image"
    headers = auth(uuid.uuid4())
    whole = (await client.get(url, headers=headers)).content

    response = await client.get(url, headers={**headers, "Range": "bytes=1000-5095"})

    assert response.status_code == 206
    assert response.content == whole[1000:5096]
    assert response.headers["content-range"] == f"bytes 1000-5095/{len(whole)}"
    assert response.headers["content-length"] == "4096"


async def test_open_range_resumes_to_the_end(client: httpx.AsyncClient, auth: Auth) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    url = f"/releases/{dme['id']}/image"
    headers = auth(uuid.uuid4())
    whole = (await client.get(url, headers=headers)).content
    response = await client.get(url, headers={**headers, "Range": "bytes=300000-"})
    assert response.status_code == 206
    assert response.content == whole[300000:]


@pytest.mark.parametrize("range_header", ["bytes=999999999-", "bytes=10-5", "bytes=0-1,4-5"])
async def test_unsatisfiable_range_is_416_with_the_size(
    client: httpx.AsyncClient, auth: Auth, range_header: str
) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(
        f"/releases/{dme['id']}/image", headers={**auth(uuid.uuid4()), "Range": range_header}
    )
    assert response.status_code == 416
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["content-range"] == f"bytes */{dme['size']}"


async def test_image_without_any_token_is_refused(client: httpx.AsyncClient, auth: Auth) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(f"/releases/{dme['id']}/image")
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/download-not-authorized"


async def test_image_with_unknown_download_token_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(f"/releases/{dme['id']}/image", params={"token": "forged"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_image_with_invalid_access_token_is_refused(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    dme = (await releases(client, auth))["DME_B48 1.1.0"]
    response = await client.get(
        f"/releases/{dme['id']}/image", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_unknown_release_image_is_404(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.get(f"/releases/{uuid.uuid4()}/image", headers=auth(uuid.uuid4()))
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/release-not-found"
