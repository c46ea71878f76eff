"""The portal's downloads area: the VCI agent's single-file builds.

A build's file is served with HTTP Range (RFC 9110 §14), so a workshop PC on a poor line
resumes a download rather than starting again, and with its SHA-256 as a strong ETag
(``If-None-Match``, ``If-Range``). The bytes are streamed from the database in slices.
"""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import StreamingResponse

from programming.api.deps import RuntimeDep, Technician
from programming.api.schemas import AgentBuildList, AgentBuildRead
from programming.domain.ranges import (
    RangeNotSatisfiable,
    none_match,
    range_still_applies,
    requested_range,
)
from programming.errors import AgentBuildNotFoundError, InvalidRangeError
from programming.services.agent_builds import (
    find_agent_build,
    load_agent_builds,
    stream_agent_build,
)
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["downloads"])

_OCTETS: dict[str, Any] = {"content": {"application/octet-stream": {}}}


@router.get("/agent-builds")
async def agent_builds(
    principal: Technician, runtime: RuntimeDep, session: SessionDep
) -> AgentBuildList:
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
            for build in await load_agent_builds(session)
        ]
    )


@router.head("/agent-builds/{build_id}/file", include_in_schema=False)
@router.get(
    "/agent-builds/{build_id}/file",
    response_class=Response,
    responses={
        200: {**_OCTETS, "description": "the whole build"},
        206: {**_OCTETS, "description": "the single byte range asked for"},
        304: {"description": "the copy named in If-None-Match is current"},
        **problem_responses(AgentBuildNotFoundError, InvalidRangeError),
    },
)
async def agent_build_file(
    build_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
    if_range: Annotated[str | None, Header(max_length=200)] = None,
    if_none_match: Annotated[str | None, Header(max_length=2000)] = None,
) -> Response:
    """The build's file, to anyone: it holds no secret (an agent is useless until paired), and
    agents fetch it to update themselves before they may connect. Check it against the
    SHA-256 and signature of the list.

    One ``Range`` (``bytes=first-last``, ``first-`` or ``-suffix``) is answered with 206, a
    range past the end with 416; other Range headers are ignored (200). The ETag is the
    SHA-256: ``If-None-Match`` gives 304, and a ``Range`` under an ``If-Range`` that is not
    the ETag gets the whole file."""
    build = await find_agent_build(session, build_id)
    etag = build.sha256.hex()
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{etag}"',
        "Content-Disposition": f'attachment; filename="{build.file_name}"',
    }
    if none_match(if_none_match, etag=etag):
        return Response(status_code=304, headers=headers)
    first, last, status = 0, build.size - 1, 200
    if range_still_applies(if_range, etag=etag):
        try:
            asked = requested_range(range_header, size=build.size)
        except RangeNotSatisfiable as exc:
            raise InvalidRangeError(
                f"{exc}; ask for bytes 0 to {build.size - 1}, or for all of it without Range",
                headers={"Accept-Ranges": "bytes", "Content-Range": f"bytes */{build.size}"},
            ) from exc
        if asked is not None:
            first, last, status = *asked, 206
            headers["Content-Range"] = f"bytes {first}-{last}/{build.size}"
    headers["Content-Length"] = str(last + 1 - first)
    if request.method == "HEAD" or last < first:
        return Response(status_code=status, headers=headers, media_type="application/octet-stream")
    return StreamingResponse(
        stream_agent_build(runtime.database, build.id, first=first, last=last),
        status_code=status,
        headers=headers,
        media_type="application/octet-stream",
    )
