"""The software catalog: seeding the demo data, listing releases, reading images."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from aos_contracts.aosimg import build_image
from aos_contracts.keys import key_algorithm
from aos_contracts.uds import SEED_LEVEL_PROGRAMMING
from programming.db.catalog import CatalogRepository
from programming.db.models import EcuType, Release
from programming.db.sessions import SessionRepository
from programming.domain.can_ids import can_ids_problem
from programming.domain.credentials import digest
from programming.domain.images import (
    DEMO_ECU_TYPES,
    DEMO_RELEASES,
    DEMO_TARGETS,
    demo_payload,
)
from programming.domain.sessions import JobState
from programming.errors import (
    DownloadNotAuthorizedError,
    EcuTypeNotFoundError,
    InvalidCanIdsError,
    ReleaseNotFoundError,
)
from programming.services.ecu_secrets import seal_ecu_secret
from servicekit.envelope import EnvelopeCipher

__all__ = [
    "SeedCounts",
    "authorize_image_download",
    "list_ecu_types",
    "list_releases",
    "read_image",
    "seed_catalog",
    "set_can_ids",
    "signed_release",
]


@dataclass(frozen=True)
class SeedCounts:
    ecu_types: int
    releases: int
    targets: int


def signed_release(
    image: bytes, *, ecu_type: str, version: str, memory_address: int, key: Ed25519PrivateKey
) -> Release:
    """A Release row for ``image``: SHA-256 and Ed25519 signature over the whole image."""
    return Release(
        id=uuid.uuid4(),
        ecu_type=ecu_type,
        version=version,
        image=image,
        sha256=hashlib.sha256(image).digest(),
        signature=key.sign(image),
        size=len(image),
        memory_address=memory_address,
        created_at=datetime.now(UTC),
    )


async def seed_catalog(
    session: AsyncSession, *, key: Ed25519PrivateKey, cipher: EnvelopeCipher
) -> SeedCounts:
    """Add the demo ECU types (secrets sealed with ``cipher``), releases and G20 targets that
    are missing (idempotent; never changes what exists)."""
    repository = CatalogRepository(session)
    types_added = 0
    addresses: dict[str, int] = {}
    for demo in DEMO_ECU_TYPES:
        addresses[demo.key] = demo.memory_address
        types_added += await repository.add_ecu_type_if_missing(
            EcuType(
                key=demo.key,
                name=demo.name,
                security_secret_sealed=seal_ecu_secret(
                    cipher, demo.key, bytes.fromhex(demo.secret_hex)
                ),
                security_algorithm=demo.security_algorithm,
                security_level=SEED_LEVEL_PROGRAMMING,
                memory_address=demo.memory_address,
                region_size=demo.region_size,
                can_request_id=demo.can_ids[0],
                can_response_id=demo.can_ids[1],
            )
        )
    releases_added = 0
    for release in DEMO_RELEASES:
        if await repository.release_exists(release.ecu_type, release.version):
            continue
        payload = demo_payload(release.ecu_type, release.version, size=release.payload_size)
        image = build_image(release.ecu_type, release.version, payload)
        await repository.add_release(
            signed_release(
                image,
                ecu_type=release.ecu_type,
                version=release.version,
                memory_address=addresses[release.ecu_type],
                key=key,
            )
        )
        releases_added += 1
    targets_added = 0
    for series, targets in DEMO_TARGETS.items():
        for ecu_type, version in targets.items():
            targets_added += await repository.set_target_if_missing(series, ecu_type, version)
    return SeedCounts(ecu_types=types_added, releases=releases_added, targets=targets_added)


async def list_ecu_types(session: AsyncSession) -> Sequence[EcuType]:
    return await CatalogRepository(session).ecu_types()


async def set_can_ids(
    session: AsyncSession, key: str, *, request: int | None, response: int | None
) -> EcuType:
    """Set (or, with both None, clear) the CAN ids of ECU type ``key``; the next StartJob of
    that type carries them. Raises InvalidCanIdsError, EcuTypeNotFoundError."""
    problem = can_ids_problem(request, response)
    if problem is not None:
        raise InvalidCanIdsError(problem)
    ecu_type = await CatalogRepository(session).ecu_type(key, for_update=True)
    if ecu_type is None:
        raise EcuTypeNotFoundError(
            f"The catalog has no ECU type {key!r}; list them with `ecu-types list`."
        )
    ecu_type.can_request_id = request
    ecu_type.can_response_id = response
    await session.flush()
    return ecu_type


async def set_security_algorithm(session: AsyncSession, key: str, name: str) -> EcuType:
    """Name the seed/key algorithm of ECU type ``key``; the service computes the next key of
    that type with it. Raises ``UnknownKeyAlgorithmError`` (its message lists the known ones)
    before anything is changed, and EcuTypeNotFoundError."""
    key_algorithm(name)  # refuses an unknown name, listing the known ones
    ecu_type = await CatalogRepository(session).ecu_type(key, for_update=True)
    if ecu_type is None:
        raise EcuTypeNotFoundError(
            f"The catalog has no ECU type {key!r}; list them with `ecu-types list`."
        )
    ecu_type.security_algorithm = name.strip().upper()
    await session.flush()
    return ecu_type


async def list_releases(session: AsyncSession) -> Sequence[Release]:
    return await CatalogRepository(session).releases()


async def read_image(session: AsyncSession, release_id: uuid.UUID) -> tuple[Release, bytes]:
    """The release and its image bytes; raises ReleaseNotFoundError."""
    found = await CatalogRepository(session).release_image(release_id)
    if found is None:
        raise ReleaseNotFoundError(f"There is no release {release_id}.")
    return found


async def authorize_image_download(
    session: AsyncSession, release_id: uuid.UUID, token: str | None, *, now: datetime
) -> None:
    """Image bytes go only to an agent running a flash job of this release: ``token`` must be
    the download token its StartJob carried, the job still RUNNING, the token not past the
    job's deadline and the agent not revoked. A user's access token is not enough (any
    account could otherwise fetch every image). Raises DownloadNotAuthorizedError."""
    if not token:
        raise DownloadNotAuthorizedError(
            "Images are downloaded only by a VCI agent running a flash job: send the job's "
            "download token in the X-Download-Token header (an access token is not enough)."
        )
    found = await SessionRepository(session).job_by_download_token(digest(token))
    job, _, agent = found if found is not None else (None, None, None)
    if (
        job is None
        or agent is None
        or job.release_id != release_id
        or job.state != JobState.RUNNING
        or job.download_token_expires_at is None
        or job.download_token_expires_at <= now
        or agent.revoked_at is not None
    ):
        raise DownloadNotAuthorizedError(
            "The download token is not valid for this image: it is valid for one running job "
            "of one agent, for that job's image, until the job ends."
        )
