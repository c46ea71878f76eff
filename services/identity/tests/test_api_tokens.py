"""Access token verification, JWKS, refresh rotation with reuse detection, logout."""

from __future__ import annotations

import time
import uuid

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from identity.config import Settings
from servicekit.auth import JwksCache, TokenVerifier
from servicekit.testing import TestTokenIssuer


async def test_access_token_verifies_with_servicekit_token_verifier(identity, client) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    verifier = TokenVerifier(
        JwksCache("http://service/.well-known/jwks.json", http=client),
        issuer="aos-identity",
        audience="aos",
    )
    principal = await verifier.verify(tokens["access_token"])
    assert principal.user_id == account.user_id
    assert principal.organization_id == account.organization_id
    assert principal.roles == ("owner",)
    assert principal.expires_at - int(time.time()) <= 600


async def test_jwks_publishes_the_ed25519_public_key(client) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "OKP"
    assert keys[0]["crv"] == "Ed25519"
    assert keys[0]["alg"] == "EdDSA"
    assert "d" not in keys[0]


async def test_me_without_a_token_is_401_problem(client, problem) -> None:
    problem(await client.get("/me"), 401)


async def test_token_signed_by_a_foreign_key_is_refused(
    client, token_issuer: TestTokenIssuer, problem
) -> None:
    forged = token_issuer.token(user_id=uuid.uuid4(), organization_id=uuid.uuid4())
    response = await client.get("/me", headers={"Authorization": f"Bearer {forged}"})
    problem(response, 401, "invalid-token")


async def test_token_with_a_wrong_audience_is_refused(
    identity, client, settings: Settings, problem
) -> None:
    account = await identity.ready_account()
    key = load_pem_private_key(settings.jwt_private_key_file.read_bytes(), password=None)
    kid = (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": str(account.user_id),
            "org": str(account.organization_id),
            "roles": ["owner"],
            "iss": "aos-identity",
            "aud": "someone-else",
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        },
        key,  # type: ignore[arg-type]
        algorithm="EdDSA",
        headers={"kid": kid},
    )
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    problem(response, 401, "invalid-token")


async def test_token_of_another_organisation_claim_finds_no_account(
    identity, client, settings: Settings, problem
) -> None:
    account = await identity.ready_account()
    key = load_pem_private_key(settings.jwt_private_key_file.read_bytes(), password=None)
    kid = (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kid"]
    now = int(time.time())
    token = jwt.encode(
        {
            "sub": str(account.user_id),
            "org": str(uuid.uuid4()),
            "roles": ["owner"],
            "iss": "aos-identity",
            "aud": "aos",
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        },
        key,  # type: ignore[arg-type]
        algorithm="EdDSA",
        headers={"kid": kid},
    )
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    problem(response, 404, "account-not-found")


async def test_refresh_rotates_to_a_new_working_pair(identity, client) -> None:
    account = await identity.ready_account()
    first = await identity.tokens(account)
    response = await identity.refresh(first["refresh_token"])
    assert response.status_code == 200, response.text
    second = identity.with_refresh_cookie(response)
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get("/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200
    third = await identity.refresh(second["refresh_token"])
    assert third.status_code == 200


async def test_refresh_token_used_twice_revokes_its_family(identity, client, problem) -> None:
    account = await identity.ready_account()
    first = await identity.tokens(account)
    rotated = await identity.refresh(first["refresh_token"])
    successor = identity.with_refresh_cookie(rotated)["refresh_token"]
    replay = await identity.refresh(first["refresh_token"])
    problem(replay, 401, "refresh-token-reused")
    after = await identity.refresh(successor)
    problem(after, 401, "refresh-token-invalid")


async def test_reuse_leaves_other_logins_of_the_user_alone(identity, client) -> None:
    account = await identity.ready_account()
    victim = await identity.tokens(account)
    assert account.recovery_codes is not None
    other = identity.with_refresh_cookie(
        await identity.login(account, totp_code=account.recovery_codes[0])
    )
    await identity.refresh(victim["refresh_token"])
    await identity.refresh(victim["refresh_token"])
    response = await identity.refresh(other["refresh_token"])
    assert response.status_code == 200


async def test_unknown_refresh_token_is_401_problem(identity, problem) -> None:
    response = await identity.refresh("made-up")
    problem(response, 401, "refresh-token-invalid")


async def test_expired_refresh_token_is_401_problem(identity, client, app, problem) -> None:
    from sqlalchemy import text

    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    async with app.state.database.transaction() as session:
        await session.execute(
            text("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
        )
    response = await identity.refresh(tokens["refresh_token"])
    problem(response, 401, "refresh-token-expired")


async def test_logout_revokes_the_refresh_token(identity, client, problem) -> None:
    account = await identity.ready_account()
    tokens = await identity.tokens(account)
    logout = await identity.logout(tokens["refresh_token"])
    assert logout.status_code == 204
    response = await identity.refresh(tokens["refresh_token"])
    problem(response, 401, "refresh-token-invalid")


async def test_logout_revokes_rotated_successors_too(identity, client, problem) -> None:
    account = await identity.ready_account()
    first = await identity.tokens(account)
    second = identity.with_refresh_cookie(await identity.refresh(first["refresh_token"]))
    await identity.logout(first["refresh_token"])
    response = await identity.refresh(second["refresh_token"])
    problem(response, 401, "refresh-token-invalid")


async def test_logout_with_an_unknown_token_is_harmless(identity) -> None:
    response = await identity.logout("made-up")
    assert response.status_code == 204


async def test_jwks_http_override_is_used_for_verification(
    settings: Settings, token_issuer: TestTokenIssuer
) -> None:
    from identity.main import create_app
    from servicekit.testing import running_app

    app = create_app(settings, jwks_http=token_issuer.http_client())
    async with running_app(app) as http:
        token = token_issuer.token()
        response = await http.get("/me", headers={"Authorization": f"Bearer {token}"})
    # Accepted by the verifier (the issuer's key is trusted), then no such account: 404.
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/account-not-found"
