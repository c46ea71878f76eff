"""Reading the connected vehicle through an agent."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from aos.agent.v1 import agent_pb2
from programming.db.catalog import CatalogRepository
from programming.domain.vehicle import EcuSnapshot, VehicleSnapshot
from programming.errors import AgentOfflineError, AgentTimeoutError
from programming.services.agent_link import AgentDisconnectedError, AgentLink
from servicekit.db import Database

__all__ = ["catalog_can_ids", "read_vehicle", "snapshot_of"]


async def catalog_can_ids(database: Database) -> tuple[agent_pb2.EcuCanIds, ...]:
    """The CAN ids of every ECU type of the catalog that has them, for a ReadVehicle."""
    async with database.transaction() as session:
        ecu_types = await CatalogRepository(session).ecu_types()
    return tuple(
        agent_pb2.EcuCanIds(
            ecu_type=ecu_type.key,
            request_id=ecu_type.can_request_id,
            response_id=ecu_type.can_response_id,
        )
        for ecu_type in ecu_types
        if ecu_type.can_request_id is not None and ecu_type.can_response_id is not None
    )


async def read_vehicle(
    link: AgentLink,
    *,
    timeout_seconds: float,
    can_ids: Sequence[agent_pb2.EcuCanIds] = (),
) -> VehicleSnapshot:
    """Ask the agent for a VehicleReport; ``can_ids`` (``catalog_can_ids``) let an agent on a
    CAN link find the ECUs.

    Raises AgentTimeoutError when none comes within ``timeout_seconds``, AgentOfflineError when
    the link drops or the agent answers with an Error frame.
    """
    request = agent_pb2.AgentFrame(
        read_vehicle=agent_pb2.ReadVehicle(request_id=str(uuid.uuid4()), can_ids=can_ids)
    )
    try:
        answer = await link.request(request, timeout_seconds=timeout_seconds)
    except TimeoutError as exc:
        raise AgentTimeoutError(
            f"The agent did not report the vehicle within {timeout_seconds:g} s; check that it is "
            "connected to the vehicle and retry."
        ) from exc
    except AgentDisconnectedError as exc:
        raise AgentOfflineError("The agent disconnected while reading the vehicle.") from exc
    if answer.WhichOneof("body") != "vehicle_report":
        detail = answer.error.message if answer.HasField("error") else "an unexpected answer"
        raise AgentOfflineError(f"The agent could not read the vehicle: {detail}")
    return snapshot_of(answer.vehicle_report)


def snapshot_of(report: agent_pb2.VehicleReport) -> VehicleSnapshot:
    """The typed vehicle of an agent's report (read now when the agent sent no time)."""
    read_at = report.read_at.ToDatetime(tzinfo=UTC) if report.HasField("read_at") else None
    return VehicleSnapshot(
        vin=report.vin,
        read_at=read_at or datetime.now(UTC),
        ecus=tuple(
            EcuSnapshot(
                logical_address=ecu.logical_address,
                name=ecu.name,
                ecu_type=ecu.ecu_type,
                software_version=ecu.software_version,
                serial_number=ecu.serial_number,
                in_bootloader=ecu.in_bootloader,
            )
            for ecu in report.ecus
        ),
    )
