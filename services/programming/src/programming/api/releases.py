"""The software catalog: releases and their images (with HTTP Range)."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from programming.api.schemas import ReleaseList, ReleaseRead
from programming.db.sessions import SessionRepository
from programming.domain.credentials import digest
from programming.domain.ranges import RangeNotSatisfiable, parse_range
from programming.errors import DownloadNotAuthorizedError, InvalidRangeError, ReleaseNotFoundError
from programming.services.catalog import list_releases, read_image
from servicekit.auth import CurrentPrincipal, TokenVerifier, bearer_token
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["releases"])


@router.get("/releases")
async def releases(principal: CurrentPrincipal, session: SessionDep) -> ReleaseList:
    """Every release of the catalog (the catalog is the same for all organisations)."""
    return ReleaseList(
        items=[
            ReleaseRead(
                id=release.id,
                ecu_type=release.ecu_type,
                version=release.version,
                size=release.size,
                sha256=release.sha256.hex(),
                signature=base64.b64encode(release.signature).decode(),
                memory_address=release.memory_address,
                created_at=release.created_at,
            )
            for release in await list_releases(session)
        ]
    )


async def _authorize_download(
    request: Request, session: SessionDep, release_id: uuid.UUID, token: str | None
) -> None:
    """A download token of a running job for this release, or a valid access token."""
    if token:
        job = await SessionRepository(session).job_by_download_token(digest(token))
        if job is None or job.release_id != release_id or job.state != "RUNNING":
            raise DownloadNotAuthorizedError(
                "The download token is not valid for this image (it is valid for one running "
                "job only)."
            )
        return
    if not request.headers.get("authorization"):
        raise DownloadNotAuthorizedError(
            "Send the job's download token (?token= or X-Download-Token) or an access token."
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    await verifier.verify(bearer_token(request))


@router.get(
    "/releases/{release_id}/image",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "the whole image"},
        206: {"content": {"application/octet-stream": {}}, "description": "the range asked"},
        **problem_responses(DownloadNotAuthorizedError, ReleaseNotFoundError, InvalidRangeError),
    },
)
async def image(
    release_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=128)] = None,
    x_download_token: Annotated[str | None, Header(max_length=128)] = None,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
) -> Response:
    """The image bytes; supports a single ``Range: bytes=first-last`` (206) for resuming."""
    await _authorize_download(request, session, release_id, token or x_download_token)
    release, data = await read_image(session, release_id)
    headers = {"Accept-Ranges": "bytes", "ETag": f'"{release.sha256.hex()}"'}
    if range_header is None:
        return Response(data, media_type="application/octet-stream", headers=headers)
    try:
        first, last = parse_range(range_header, size=len(data))
    except RangeNotSatisfiable as exc:
        raise InvalidRangeError(
            str(exc), headers={**headers, "Content-Range": f"bytes */{len(data)}"}
        ) from exc
    headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
    return Response(
        data[first : last + 1],
        status_code=206,
        media_type="application/octet-stream",
        headers=headers,
    )
