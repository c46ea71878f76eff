"""Reading the connected vehicle through an agent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from aos.agent.v1 import agent_pb2
from programming.domain.plan import EcuState
from programming.errors import AgentOfflineError, AgentTimeoutError
from programming.services.agent_link import AgentConnection, AgentDisconnectedError

__all__ = ["ecu_states", "read_vehicle", "report_to_json"]


async def read_vehicle(
    connection: AgentConnection, *, timeout_seconds: float
) -> agent_pb2.VehicleReport:
    """Ask the agent for a VehicleReport.

    Raises AgentTimeoutError when none comes within ``timeout_seconds``, AgentOfflineError when
    the link drops or the agent answers with an Error frame.
    """
    request = agent_pb2.AgentFrame(read_vehicle=agent_pb2.ReadVehicle(request_id=str(uuid.uuid4())))
    try:
        answer = await connection.request(request, timeout_seconds=timeout_seconds)
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
    return answer.vehicle_report


def report_to_json(report: agent_pb2.VehicleReport) -> dict[str, Any]:
    read_at = report.read_at.ToDatetime(tzinfo=UTC) if report.HasField("read_at") else None
    return {
        "vin": report.vin,
        "read_at": (read_at or datetime.now(UTC)).isoformat(),
        "ecus": [
            {
                "logical_address": ecu.logical_address,
                "name": ecu.name,
                "ecu_type": ecu.ecu_type,
                "software_version": ecu.software_version,
                "serial_number": ecu.serial_number,
                "in_bootloader": ecu.in_bootloader,
            }
            for ecu in sorted(report.ecus, key=lambda e: e.logical_address)
        ],
    }


def ecu_states(report: agent_pb2.VehicleReport) -> list[EcuState]:
    return [
        EcuState(
            logical_address=ecu.logical_address,
            name=ecu.name,
            ecu_type=ecu.ecu_type,
            software_version=ecu.software_version,
            in_bootloader=ecu.in_bootloader,
        )
        for ecu in report.ecus
    ]
