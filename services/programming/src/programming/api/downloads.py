"""The portal's downloads area: the VCI agent's single-file builds."""

from __future__ import annotations

import base64
import uuid

from fastapi import APIRouter, Response

from programming.api.deps import RuntimeDep, Technician
from programming.api.schemas import AgentBuildList, AgentBuildRead
from programming.errors import AgentBuildNotFoundError
from programming.services.agent_builds import read_agent_build
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["downloads"])


@router.get("/agent-builds")
async def agent_builds(principal: Technician, runtime: RuntimeDep) -> AgentBuildList:
    """Every build of the VCI agent, newest first, with what a download is checked against:
    its SHA-256 and its Ed25519 signature by the release key."""
    return AgentBuildList(
        items=[
            AgentBuildRead(
                id=build.id,
                version=build.version,
                platform=build.platform,
                file_name=build.file_name,
                size=build.size,
                sha256=build.sha256.hex(),
                signature=base64.b64encode(build.signature).decode(),
                url=runtime.agent_builds.file_url(build),
                created_at=build.created_at,
            )
            for build in runtime.agent_builds.builds
        ]
    )


@router.get(
    "/agent-builds/{build_id}/file",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the build"},
        **problem_responses(AgentBuildNotFoundError),
    },
)
async def agent_build_file(build_id: uuid.UUID, session: SessionDep) -> Response:
    """The build's file, to anyone: it holds no secret (an agent is useless until paired), and
    agents fetch it to update themselves before they may connect. Check it against the
    SHA-256 and signature of the list."""
    build, content = await read_agent_build(session, build_id)
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{build.file_name}"',
            "ETag": f'"{build.sha256.hex()}"',
        },
    )
