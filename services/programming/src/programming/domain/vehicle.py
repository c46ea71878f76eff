"""What an agent reports of its vehicle: VIN and each ECU's software, typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from programming.domain.plan import EcuState

__all__ = ["EcuSnapshot", "VehicleSnapshot"]


@dataclass(frozen=True)
class EcuSnapshot:
    logical_address: int
    name: str
    ecu_type: str
    software_version: str  # empty while the ECU is in its bootloader
    serial_number: str
    in_bootloader: bool = False

    def state(self) -> EcuState:
        return EcuState(
            logical_address=self.logical_address,
            name=self.name,
            ecu_type=self.ecu_type,
            software_version=self.software_version,
            in_bootloader=self.in_bootloader,
        )


@dataclass(frozen=True)
class VehicleSnapshot:
    """The vehicle as read at ``read_at``; its ECUs ordered by logical address."""

    vin: str
    read_at: datetime
    ecus: tuple[EcuSnapshot, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.ecus, key=lambda ecu: ecu.logical_address))
        object.__setattr__(self, "ecus", ordered)

    def ecu_states(self) -> list[EcuState]:
        return [ecu.state() for ecu in self.ecus]

    def to_json(self) -> dict[str, Any]:
        """The form stored with a session (``vehicle_before`` / ``vehicle_after``)."""
        return {
            "vin": self.vin,
            "read_at": self.read_at.isoformat(),
            "ecus": [
                {
                    "logical_address": ecu.logical_address,
                    "name": ecu.name,
                    "ecu_type": ecu.ecu_type,
                    "software_version": ecu.software_version,
                    "serial_number": ecu.serial_number,
                    "in_bootloader": ecu.in_bootloader,
                }
                for ecu in self.ecus
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VehicleSnapshot:
        return cls(
            vin=str(data["vin"]),
            read_at=datetime.fromisoformat(str(data["read_at"])),
            ecus=tuple(
                EcuSnapshot(
                    logical_address=int(ecu["logical_address"]),
                    name=str(ecu["name"]),
                    ecu_type=str(ecu["ecu_type"]),
                    software_version=str(ecu["software_version"]),
                    serial_number=str(ecu["serial_number"]),
                    in_bootloader=bool(ecu.get("in_bootloader", False)),
                )
                for ecu in data.get("ecus", [])
            ),
        )
