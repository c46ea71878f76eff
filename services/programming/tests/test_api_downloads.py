"""The VCI agent's builds: served with Range, ETag and HEAD from PostgreSQL in slices, and listed
and offered from the database by every replica (a build published while replicas run included).

The service runs behind a real uvicorn (``http``) for the file routes, so the streamed body,
its Content-Length and HEAD go through a real HTTP server; the two-replica test runs two apps
against one database in-process.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from aos.agent.v1 import agent_pb2
from programming.config import Settings
from programming.db.agent_builds import AgentBuildRepository
from programming.db.models import AgentBuild
from programming.main import create_app
from programming.services.agent_builds import AgentBuilds, stream_agent_build
from servicekit.db import Database
from servicekit.testing import TestTokenIssuer, running_app

PROBLEM = "application/problem+json"
PLATFORM = "linux-x86_64"
# Not a multiple of the 1 MiB slice: the last slice of a whole download is a short one.
CONTENT = os.urandom((1 << 20) * 2 + 12_345)
SIZE = len(CONTENT)
ETAG = f'"{hashlib.sha256(CONTENT).hexdigest()}"'


async def _insert_build(
    app: FastAPI, *, version: str = "9.9.9", content: bytes = CONTENT
) -> uuid.UUID:
    """Store a build as publishing does (signed with the app's release key)."""
    runtime = app.state.runtime
    build_id = uuid.uuid4()
    async with runtime.database.transaction() as session:
        inserted = await AgentBuildRepository(session).add_if_missing(
            AgentBuild(
                id=build_id,
                version=version,
                platform=PLATFORM,
                file_name=f"aos-vci-agent-{version}-{PLATFORM}",
                content=content,
                size=len(content),
                sha256=hashlib.sha256(content).digest(),
                signature=runtime.release_key.sign(content),
                created_at=datetime.now(UTC),
            )
        )
    assert inserted
    return build_id


@pytest.fixture
async def build_path(app: FastAPI, http: httpx.AsyncClient) -> str:
    """The file URL (relative) of a build stored in the running service."""
    return f"/agent-builds/{await _insert_build(app)}/file"


async def test_the_whole_build_is_streamed_with_its_strong_etag(
    http: httpx.AsyncClient, build_path: str
) -> None:
    response = await http.get(build_path)

    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-length"] == str(SIZE)
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == ETAG
    assert response.headers["content-type"] == "application/octet-stream"


@pytest.mark.parametrize(
    ("range_header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # the first bytes
        ("bytes=1048570-1048585", 1048570, 1048585),  # the middle
        ("bytes=-500", SIZE - 500, SIZE - 1),  # a suffix
        ("bytes=2000000-", 2000000, SIZE - 1),  # an open end (a resume)
        ("bytes=100-99999999", 100, SIZE - 1),  # a last position past the end is cut
    ],
    ids=["first", "middle", "suffix", "open-end", "past-end"],
)
async def test_a_single_range_is_206_with_exactly_those_bytes(
    http: httpx.AsyncClient, build_path: str, range_header: str, first: int, last: int
) -> None:
    response = await http.get(build_path, headers={"Range": range_header})

    assert response.status_code == 206
    assert response.content == CONTENT[first : last + 1]
    assert response.headers["content-range"] == f"bytes {first}-{last}/{SIZE}"
    assert response.headers["content-length"] == str(last + 1 - first)
    assert response.headers["etag"] == ETAG


@pytest.mark.parametrize("range_header", [f"bytes={SIZE}-", "bytes=99999999-100000000", "bytes=-0"])
async def test_an_unsatisfiable_range_is_416_problem_with_the_size(
    http: httpx.AsyncClient, build_path: str, range_header: str
) -> None:
    response = await http.get(build_path, headers={"Range": range_header})

    assert response.status_code == 416
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["content-range"] == f"bytes */{SIZE}"
    assert response.json()["type"].endswith("range-not-satisfiable")
    assert f"bytes 0 to {SIZE - 1}" in response.json()["detail"]


@pytest.mark.parametrize(
    "range_header", ["bytes=5-2", "bytes=abc", "items=0-9", "bytes=0-1,5-6", "bytes="]
)
async def test_a_malformed_or_multiple_range_is_ignored_and_the_whole_build_sent(
    http: httpx.AsyncClient, build_path: str, range_header: str
) -> None:
    response = await http.get(build_path, headers={"Range": range_header})

    assert response.status_code == 200
    assert response.content == CONTENT


@pytest.mark.parametrize("if_none_match", [ETAG, f'"other", W/{ETAG}', "*"])
async def test_if_none_match_with_the_current_etag_is_304_without_a_body(
    http: httpx.AsyncClient, build_path: str, if_none_match: str
) -> None:
    response = await http.get(build_path, headers={"If-None-Match": if_none_match})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == ETAG


async def test_if_none_match_with_another_etag_sends_the_build(
    http: httpx.AsyncClient, build_path: str
) -> None:
    response = await http.get(build_path, headers={"If-None-Match": '"an-older-build"'})

    assert response.status_code == 200
    assert response.content == CONTENT


async def test_if_range_with_the_current_etag_honours_the_range(
    http: httpx.AsyncClient, build_path: str
) -> None:
    response = await http.get(build_path, headers={"Range": "bytes=10-19", "If-Range": ETAG})

    assert response.status_code == 206
    assert response.content == CONTENT[10:20]


@pytest.mark.parametrize(
    "if_range", ['"an-older-build"', f"W/{ETAG}", "Fri, 04 Dec 2026 06:00:00 GMT"]
)
async def test_if_range_that_is_not_the_current_etag_sends_the_whole_build(
    http: httpx.AsyncClient, build_path: str, if_range: str
) -> None:
    response = await http.get(build_path, headers={"Range": "bytes=10-19", "If-Range": if_range})

    assert response.status_code == 200
    assert response.content == CONTENT
    assert "content-range" not in response.headers


async def test_head_gives_the_headers_of_get_without_the_body(
    http: httpx.AsyncClient, build_path: str
) -> None:
    whole = await http.head(build_path)
    part = await http.head(build_path, headers={"Range": "bytes=-10"})

    assert whole.status_code == 200 and whole.content == b""
    assert whole.headers["content-length"] == str(SIZE)
    assert whole.headers["etag"] == ETAG
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes {SIZE - 10}-{SIZE - 1}/{SIZE}"


async def test_an_unknown_build_is_404_problem(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/agent-builds/{uuid.uuid4()}/file", headers={"Range": "bytes=0-"})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_the_file_is_read_from_the_database_in_slices_of_the_chunk_size(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    content = bytes(range(256)) * 4
    build_id = await _insert_build(app, content=content)
    database: Database = app.state.runtime.database

    slices = stream_agent_build(database, build_id, first=5, last=1000, chunk_bytes=300)
    pieces = [piece async for piece in slices]

    assert [len(piece) for piece in pieces] == [300, 300, 300, 96]
    assert b"".join(pieces) == content[5:1001]


async def test_a_build_is_stored_uncompressed_so_each_slice_reads_only_its_own_bytes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    # Very compressible bytes: with the default storage PostgreSQL would compress them, and
    # every substring() slice would decompress from byte 0 (programming_0012).
    build_id = await _insert_build(app, version="9.9.8", content=bytes(3 << 20))
    database: Database = app.state.runtime.database

    async with database.transaction() as session:
        storage = await session.scalar(
            text(
                "SELECT attstorage::text FROM pg_attribute "
                "WHERE attrelid = 'agent_builds'::regclass AND attname = 'content'"
            )
        )
        compression = await session.scalar(
            text("SELECT pg_column_compression(content) FROM agent_builds WHERE id = :id"),
            {"id": build_id},
        )

    assert storage == "e"
    assert compression is None


# --- The list and the offer come from the database, on every replica ----------------------


def _hello(version: str = "0.1.0") -> agent_pb2.Hello:
    return agent_pb2.Hello(agent_version=version, agent_platform=PLATFORM)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"agent_builds_cache_seconds": 0}


async def test_a_build_published_after_two_replicas_started_is_offered_and_listed_by_both(
    settings: Settings, token_issuer: TestTokenIssuer, auth: Any
) -> None:
    organization_id = uuid.uuid4()
    async with token_issuer.http_client() as jwks_http:
        first = create_app(settings, jwks_http=jwks_http)
        second = create_app(settings, jwks_http=jwks_http)
        async with running_app(first) as first_http, running_app(second) as second_http:
            assert await first.state.runtime.agent_builds.offer(_hello()) is None
            assert await second.state.runtime.agent_builds.offer(_hello()) is None

            build_id = await _insert_build(first)

            for app, http in ((first, first_http), (second, second_http)):
                offer = await app.state.runtime.agent_builds.offer(_hello())
                assert offer is not None
                assert (offer.version, offer.size) == ("9.9.9", SIZE)
                assert offer.url.endswith(f"/agent-builds/{build_id}/file")
                listed = await http.get("/agent-builds", headers=auth(organization_id))
                assert [item["id"] for item in listed.json()["items"]] == [str(build_id)]


async def test_the_offer_is_read_again_once_the_cache_time_has_passed(app: FastAPI) -> None:
    async with running_app(app):
        now = [100.0]
        builds = AgentBuilds(
            app.state.runtime.database,
            public_base_url="http://agents.example",
            cache_seconds=10,
            monotonic=lambda: now[0],
        )
        assert await builds.offer(_hello()) is None  # read: no builds yet

        await _insert_build(app)
        now[0] += 9.9
        cached = await builds.offer(_hello())
        now[0] += 0.1
        read_again = await builds.offer(_hello())

    assert cached is None
    assert read_again is not None and read_again.version == "9.9.9"


async def test_an_agent_that_is_up_to_date_or_from_source_is_offered_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await _insert_build(app)
    builds = app.state.runtime.agent_builds

    assert await builds.offer(_hello("9.9.9")) is None
    assert await builds.offer(agent_pb2.Hello(agent_version="0.1.0")) is None
    offered = await builds.offer(_hello("9.9.8"))
    assert offered is not None and offered.version == "9.9.9"
