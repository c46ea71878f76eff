"""Claiming idempotency keys and storing the answers that retries get again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.idempotency import IdempotencyRepository
from billing.errors import IdempotencyKeyReusedError, IdempotencyRequestInProgressError
from servicekit.db import Database

__all__ = ["StoredResponse", "claim_key", "store_response", "sweep_expired_keys"]

# Keys deleted per transaction by the sweep: short transactions, small lock footprint.
SWEEP_BATCH = 1000


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


async def claim_key(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    key: str,
    fingerprint: str,
) -> StoredResponse | None:
    """Reserve ``key`` for this request in the current transaction.

    Returns None when the key is new (go ahead, then call :func:`store_response`), or the
    stored answer when the same request was made with it before. Raises
    IdempotencyKeyReusedError when the key was used for a different request. The claim and the
    stored answer commit together with the request's effects, or not at all.
    """
    repository = IdempotencyRepository(session)
    if await repository.claim(organization_id, key, user_id=user_id, fingerprint=fingerprint):
        return None
    record = await repository.get(organization_id, key)
    if record is not None and record.request_fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            "This Idempotency-Key was already used for a different request; send a new key "
            "for a new request, or repeat the original request unchanged to get its answer.",
        )
    if record is None or record.response_status is None:
        # Claim and answer commit together, so this means the key is ours in this very
        # transaction: a second claim inside one request.
        raise IdempotencyRequestInProgressError(
            "A request with this Idempotency-Key is still being processed; retry shortly."
        )
    return StoredResponse(status=record.response_status, body=record.response_body)


async def store_response(
    session: AsyncSession, *, organization_id: uuid.UUID, key: str, status: int, body: Any
) -> None:
    await IdempotencyRepository(session).store_response(
        organization_id, key, status=status, body=body
    )


async def sweep_expired_keys(
    database: Database, *, retention: timedelta, now: datetime | None = None
) -> int:
    """Delete the keys older than ``retention``, a batch per transaction; how many in all."""
    cutoff = (now or datetime.now(UTC)) - retention
    total = 0
    while True:
        async with database.transaction() as session:
            deleted = await IdempotencyRepository(session).delete_older_than(
                cutoff, limit=SWEEP_BATCH
            )
        total += deleted
        if deleted < SWEEP_BATCH:
            return total
