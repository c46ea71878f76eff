"""Two refreshes of one refresh token at the same time: exactly one gets new tokens, the other
is refused as a reuse and the whole family is revoked.

The race is made certain, not hoped for: the test holds a lock on the user's row, which both
refreshes need (their new token references the user) only after they have read the presented
token. Both requests are therefore in flight together when the test lets them go on.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg

from servicekit.testing import asyncpg_dsn


async def waiting_for_locks(conn: asyncpg.Connection) -> int:
    """How many sessions of this database wait for a lock right now."""
    count = await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return int(count)


async def test_concurrent_refreshes_of_one_token_let_one_win_and_revoke_the_family(
    identity, client, database_url: str, problem
) -> None:
    account = await identity.ready_account()
    login = await identity.tokens(account)
    headers = identity.cookie_headers(login["refresh_token"])
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        gate = conn.transaction()
        await gate.start()
        await conn.execute("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", account.user_id)
        racers = [
            asyncio.create_task(client.post("/auth/refresh", headers=headers)) for _ in range(2)
        ]
        deadline = time.monotonic() + 30
        while await waiting_for_locks(conn) < 2:
            assert time.monotonic() < deadline, "the two refreshes did not meet"
            assert not any(racer.done() for racer in racers), "a refresh finished alone"
            await asyncio.sleep(0.02)
        await gate.rollback()
        responses = await asyncio.gather(*racers)
    finally:
        await conn.close()

    assert sorted(response.status_code for response in responses) == [200, 401]
    [winner] = [r for r in responses if r.status_code == 200]
    [loser] = [r for r in responses if r.status_code == 401]
    problem(loser, 401, "refresh-token-reused")
    # The family is revoked: the winner's new refresh token is refused too.
    after = await identity.refresh(winner.cookies["aos_refresh"])
    problem(after, 401, "refresh-token-invalid")
