"""The software catalog: releases and their images (with HTTP Range)."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from programming.api.deps import Technician
from programming.api.schemas import EcuTypeList, EcuTypeRead, ReleaseList, ReleaseRead
from programming.domain.ranges import RangeNotSatisfiable, parse_range
from programming.errors import DownloadNotAuthorizedError, InvalidRangeError, ReleaseNotFoundError
from programming.services.catalog import (
    authorize_image_download,
    list_ecu_types,
    list_releases,
    read_image,
)
from programming.services.runtime import Runtime
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["releases"])


@router.get("/ecu-types", tags=["catalog"])
async def ecu_types(principal: Technician, session: SessionDep) -> EcuTypeList:
    """The ECU types of the catalog with the CAN ids an agent on a CAN link reaches them by
    (the catalog is the same for all organisations; platform staff set the ids with
    ``python -m programming ecu-types set-can-ids``)."""
    return EcuTypeList(
        items=[
            EcuTypeRead(
                key=ecu_type.key,
                name=ecu_type.name,
                can_request_id=ecu_type.can_request_id,
                can_response_id=ecu_type.can_response_id,
            )
            for ecu_type in await list_ecu_types(session)
        ]
    )


@router.get("/releases")
async def releases(principal: Technician, session: SessionDep) -> ReleaseList:
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
    x_download_token: Annotated[str | None, Header(max_length=128)] = None,
    range_header: Annotated[str | None, Header(alias="Range", max_length=200)] = None,
) -> Response:
    """The image bytes, for the agent running a flash job of this release only (its job's
    download token in ``X-Download-Token``); supports a single ``Range: bytes=first-last``
    (206) for resuming."""
    runtime: Runtime = request.app.state.runtime
    await authorize_image_download(session, release_id, x_download_token, now=runtime.now())
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
