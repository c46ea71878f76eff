"""Pairing codes, pairing, listing and revoking agents (HTTP side)."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI
from sqlalchemy import text

PROBLEM = "application/problem+json"

Auth = Callable[..., dict[str, str]]


async def pairing_code(client: httpx.AsyncClient, auth: Auth, organization_id: uuid.UUID) -> str:
    response = await client.post("/agents/pairing-codes", headers=auth(organization_id))
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


async def test_pairing_code_is_grouped_and_valid_for_ten_minutes(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.post("/agents/pairing-codes", headers=auth(uuid.uuid4()))
    body = response.json()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", body["code"])
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=9) < expires - datetime.now(UTC) <= timedelta(minutes=10)


async def test_pairing_code_needs_an_access_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/agents/pairing-codes")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_pairing_code_is_stored_hashed(
    client: httpx.AsyncClient, auth: Auth, app: FastAPI
) -> None:
    code = await pairing_code(client, auth, uuid.uuid4())
    async with app.state.database.transaction() as session:
        stored = (await session.execute(text("SELECT code_hash FROM pairing_codes"))).scalars()
        assert code.encode() not in list(stored)


async def test_pair_returns_credential_and_release_public_key(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    code = await pairing_code(client, auth, uuid.uuid4())
    response = await client.post("/agents/pair", json={"code": code.lower(), "name": "Bay 3"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["credential"]) >= 43
    uuid.UUID(body["agent_id"])
    Ed25519PublicKey.from_public_bytes(base64.b64decode(body["release_public_key"]))
    assert body["release_public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")


async def test_pairing_code_is_single_use(client: httpx.AsyncClient, auth: Auth) -> None:
    code = await pairing_code(client, auth, uuid.uuid4())
    first = await client.post("/agents/pair", json={"code": code, "name": "one"})
    second = await client.post("/agents/pair", json={"code": code, "name": "two"})
    assert first.status_code == 201
    assert second.status_code == 400
    assert second.headers["content-type"] == PROBLEM
    assert second.json()["type"] == "/problems/invalid-pairing-code"


async def test_unknown_used_and_expired_pairing_codes_get_one_and_the_same_problem(
    client: httpx.AsyncClient, auth: Auth, app: FastAPI
) -> None:
    used = await pairing_code(client, auth, uuid.uuid4())
    assert (await client.post("/agents/pair", json={"code": used, "name": "a"})).status_code == 201
    expired = await pairing_code(client, auth, uuid.uuid4())
    async with app.state.database.transaction() as session:
        await session.execute(
            text(
                "UPDATE pairing_codes SET expires_at = now() - interval '1 s' WHERE used_at IS NULL"
            )
        )

    answers = [
        await client.post("/agents/pair", json={"code": code, "name": "b"})
        for code in ("ABCD-EFGH", used, expired)  # unknown, used, expired
    ]

    def comparable(response: httpx.Response) -> tuple[int, str | None, dict[str, object]]:
        body = response.json()
        body.pop("request_id", None)  # differs per request by design
        return response.status_code, response.headers.get("content-type"), body

    unknown, *others = [comparable(answer) for answer in answers]
    assert unknown[0] == 400
    assert unknown[2]["type"] == "/problems/invalid-pairing-code"
    assert others == [unknown, unknown]


async def test_malformed_pairing_code_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/agents/pair", json={"code": "0000-0000", "name": "x"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


async def test_pair_with_missing_name_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.post("/agents/pair", json={"code": "ABCD-EFGH"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_pair_with_malformed_json_is_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/agents/pair", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-json"


async def test_agents_are_listed_only_for_their_organisation(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    code = await pairing_code(client, auth, mine)
    paired = await client.post("/agents/pair", json={"code": code, "name": "mine"})
    own = await client.get("/agents", headers=auth(mine))
    other = await client.get("/agents", headers=auth(theirs))
    assert [a["id"] for a in own.json()["items"]] == [paired.json()["agent_id"]]
    assert own.json()["items"][0]["online"] is False
    assert other.json()["items"] == []


async def test_revoke_marks_the_agent_revoked(client: httpx.AsyncClient, auth: Auth) -> None:
    organization_id = uuid.uuid4()
    code = await pairing_code(client, auth, organization_id)
    agent_id = (await client.post("/agents/pair", json={"code": code, "name": "a"})).json()[
        "agent_id"
    ]
    response = await client.delete(f"/agents/{agent_id}", headers=auth(organization_id))
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None


async def test_other_organisation_cannot_revoke_an_agent(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    code = await pairing_code(client, auth, uuid.uuid4())
    agent_id = (await client.post("/agents/pair", json={"code": code, "name": "a"})).json()[
        "agent_id"
    ]
    response = await client.delete(f"/agents/{agent_id}", headers=auth(uuid.uuid4()))
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/agent-not-found"


async def test_revoke_with_malformed_id_is_a_validation_problem(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.delete("/agents/not-a-uuid", headers=auth(uuid.uuid4()))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


async def test_pairing_code_and_device_credential_are_never_cached(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    created = await client.post("/agents/pairing-codes", headers=auth(uuid.uuid4()))
    paired = await client.post(
        "/agents/pair", json={"code": created.json()["code"], "name": "Bay 3"}
    )
    for response in (created, paired):
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
