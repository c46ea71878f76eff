"""Read the connected vehicle: VIN and each configured ECU's software state.

The result has the shape of ``agent_pb2.VehicleReport`` (``to_proto`` builds one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from udsoncan.client import Client
from udsoncan.connections import BaseConnection
from udsoncan.exceptions import NegativeResponseException

from aos.agent.v1 import agent_pb2
from vci_agent.uds import (
    DID_SERIAL_NUMBER,
    DID_SOFTWARE_VERSION,
    DID_SUPPLIER_VERSION,
    DID_VIN,
    UdsTiming,
    client_config,
)

__all__ = ["EcuInfo", "EcuState", "VehicleState", "read_vehicle"]


@dataclass(frozen=True, slots=True)
class EcuInfo:
    """An ECU the agent is configured to look for."""

    logical_address: int
    name: str = ""
    ecu_type: str = ""


@dataclass(frozen=True, slots=True)
class EcuState:
    logical_address: int
    name: str
    ecu_type: str
    software_version: str
    supplier_version: str
    serial_number: str
    in_bootloader: bool


@dataclass(frozen=True, slots=True)
class VehicleState:
    vin: str
    ecus: tuple[EcuState, ...]
    read_at: datetime

    def to_proto(self, request_id: str = "") -> agent_pb2.VehicleReport:
        report = agent_pb2.VehicleReport(request_id=request_id, vin=self.vin)
        report.read_at.FromDatetime(self.read_at)
        for ecu in self.ecus:
            report.ecus.append(
                agent_pb2.EcuReport(
                    logical_address=ecu.logical_address,
                    name=ecu.name,
                    ecu_type=ecu.ecu_type,
                    software_version=ecu.software_version,
                    serial_number=ecu.serial_number,
                    in_bootloader=ecu.in_bootloader,
                )
            )
        return report


def read_vehicle(
    connect: Callable[[int], BaseConnection],
    ecus: Sequence[EcuInfo],
    *,
    timing: UdsTiming | None = None,
) -> VehicleState:
    """Read the VIN from the first ECU and F189/F195/F18C of every ECU.

    ``connect(logical_address)`` opens a connection to one ECU. An ECU whose application
    version reads empty is in its bootloader (an interrupted flash). Raises udsoncan's
    exceptions and ``OSError`` when the vehicle does not answer.
    """
    if not ecus:
        raise ValueError("at least one ECU is needed to read the vehicle")
    config = client_config(timing=timing or UdsTiming())
    vin = ""
    states = []
    for index, ecu in enumerate(ecus):
        with Client(connect(ecu.logical_address), config=config) as client:
            if index == 0:
                vin = _read_text(client, DID_VIN)
            version = _read_text(client, DID_SOFTWARE_VERSION)
            states.append(
                EcuState(
                    logical_address=ecu.logical_address,
                    name=ecu.name,
                    ecu_type=ecu.ecu_type,
                    software_version=version,
                    supplier_version=_read_text(client, DID_SUPPLIER_VERSION),
                    serial_number=_read_text(client, DID_SERIAL_NUMBER),
                    in_bootloader=version == "",
                )
            )
    return VehicleState(vin=vin, ecus=tuple(states), read_at=datetime.now(UTC))


def _read_text(client: Client, did: int) -> str:
    """The DID's ASCII value; "" when the ECU says it has none (NRC 0x31 request out of range)."""
    try:
        answer = client.read_data_by_identifier(did)
    except NegativeResponseException as exc:
        if exc.response.code == 0x31:
            return ""
        raise
    assert answer is not None
    return str(answer.service_data.values[did])
