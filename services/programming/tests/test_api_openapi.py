"""The published API description."""

from __future__ import annotations

import httpx


async def test_openapi_lists_every_endpoint(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/agents/pairing-codes",
        "/agents/pair",
        "/agents",
        "/agents/{agent_id}",
        "/releases",
        "/releases/{release_id}/image",
        "/agent-builds",
        "/agent-builds/{build_id}/file",
        "/sessions",
        "/sessions/{session_id}",
        "/sessions/{session_id}/start",
        "/sessions/{session_id}/abort",
        "/sessions/{session_id}/report",
        "/sessions/{session_id}/events",
    ):
        assert path in paths, path


async def test_health_answers(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200
