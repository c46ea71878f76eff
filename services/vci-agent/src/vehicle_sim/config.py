"""Vehicle and ECU configuration: the built-in demo vehicle and the JSON config file."""

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aos_contracts.demo import DEMO_ECUS, DEMO_VIN
from aos_contracts.keys import AOS_DEMO_1, UnknownKeyAlgorithmError, key_algorithm
from vehicle_sim.security import DEV_SECRETS

__all__ = [
    "DEFAULT_MAX_BLOCK_LENGTH",
    "ConfigError",
    "EcuConfig",
    "VehicleConfig",
    "demo_vehicle",
    "load_config",
]

# maxNumberOfBlockLength answered to 0x34: 4096 data bytes + SID + block sequence counter.
DEFAULT_MAX_BLOCK_LENGTH = 4096 + 2


class ConfigError(ValueError):
    """A configuration file or value is invalid."""


@dataclass(frozen=True, slots=True)
class EcuConfig:
    """One ECU behind the DoIP entity.

    Times are seconds. ``region_address``/``region_size`` are the flash region in bytes.
    ``security_algorithm`` names the seed/key algorithm (``aos_contracts.keys``).
    ``dtcs`` are the stored DTCs as (3-byte DTC number, ISO 14229-1 status byte), read with
    service 0x19.
    """

    logical_address: int
    name: str
    ecu_type: str
    version: str
    region_address: int
    region_size: int
    secret: bytes
    serial_number: str = ""
    supplier_version: str = ""
    max_block_length: int = DEFAULT_MAX_BLOCK_LENGTH
    erase_time_s: float = 0.2
    session_switch_time_s: float = 0.05
    security_delay_s: float = 10.0
    can_request_id: int | None = None
    can_response_id: int | None = None
    security_algorithm: str = AOS_DEMO_1
    dtcs: tuple[tuple[int, int], ...] = ()

    @property
    def can_ids(self) -> tuple[int, int]:
        """(request id, response id) on CAN; default 0x700 + low byte and that + 8."""
        request = self.can_request_id
        if request is None:
            request = 0x700 + (self.logical_address & 0xFF)
        response = self.can_response_id if self.can_response_id is not None else request + 8
        return request, response


@dataclass(frozen=True, slots=True)
class VehicleConfig:
    vin: str
    logical_address: int = 0x0010
    ecus: tuple[EcuConfig, ...] = field(default_factory=tuple)

    def ecu(self, logical_address: int) -> EcuConfig | None:
        return next((e for e in self.ecus if e.logical_address == logical_address), None)

    def with_max_block_length(self, max_block_length: int) -> "VehicleConfig":
        ecus = tuple(replace(e, max_block_length=max_block_length) for e in self.ecus)
        return replace(self, ecus=ecus)

    def with_erase_time(self, erase_time_s: float) -> "VehicleConfig":
        ecus = tuple(replace(e, erase_time_s=erase_time_s) for e in self.ecus)
        return replace(self, ecus=ecus)


# The demo DME's stored DTCs (simulator data, not part of the ECU contract): P0300 (random
# misfire) failing now and confirmed; P0171 (system too lean) confirmed earlier, not failing in
# this operation cycle.
_DEMO_DTCS: dict[str, tuple[tuple[int, int], ...]] = {
    "DME_B48": ((0x030000, 0x2F), (0x017100, 0x28)),
}


def demo_vehicle() -> VehicleConfig:
    """The demo G20 with DME, BDC and HU of ``aos_contracts.demo``, as in the programming
    catalog, each running its factory version; the DME holds two stored DTCs."""
    return VehicleConfig(
        vin=DEMO_VIN,
        logical_address=0x0010,
        ecus=tuple(
            EcuConfig(
                logical_address=ecu.logical_address,
                name=ecu.name,
                ecu_type=ecu.ecu_type,
                version=ecu.factory_version,
                region_address=ecu.region_address,
                region_size=ecu.region_size,
                secret=ecu.secret,
                serial_number=f"SIM{ecu.logical_address:04X}000001",
                supplier_version=f"{ecu.ecu_type}-SUP-{ecu.factory_version}",
                can_request_id=ecu.can_request_id,
                can_response_id=ecu.can_response_id,
                security_algorithm=ecu.security_algorithm,
                dtcs=_DEMO_DTCS.get(ecu.ecu_type, ()),
            )
            for ecu in DEMO_ECUS
        ),
    )


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be an integer or a hex string")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            pass
    raise ConfigError(f"{name} must be an integer or a hex string, got {value!r}")


def _dtcs_from_json(raw: Any) -> tuple[tuple[int, int], ...]:
    """``[{"dtc": "0x030000", "status": "0x2F"}, ...]``."""
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise ConfigError('dtcs must be a list of {"dtc": ..., "status": ...} objects')
    dtcs = []
    for entry in raw:
        if "dtc" not in entry:
            raise ConfigError("a DTC entry is missing the field 'dtc'")
        code = _int(entry["dtc"], "dtc")
        status = _int(entry.get("status", 0x08), "status")
        if not 0 <= code <= 0xFFFFFF or not 0 <= status <= 0xFF:
            raise ConfigError("a DTC is 3 bytes and its status 1 byte")
        dtcs.append((code, status))
    return tuple(dtcs)


def _ecu_from_json(raw: Any, default_block: int) -> EcuConfig:
    if not isinstance(raw, dict):
        raise ConfigError("each ECU must be a JSON object")
    try:
        ecu_type = str(raw["ecu_type"])
        secret_hex = raw.get("secret_hex")
        if secret_hex is None:
            if ecu_type not in DEV_SECRETS:
                raise ConfigError(f"ECU type {ecu_type} needs secret_hex (16 bytes hex)")
            secret = DEV_SECRETS[ecu_type]
        else:
            secret = bytes.fromhex(str(secret_hex))
        if len(secret) != 16:
            raise ConfigError("secret_hex must be 16 bytes")
        address = _int(raw["logical_address"], "logical_address")
        algorithm = str(raw.get("security_algorithm", AOS_DEMO_1))
        try:
            key_algorithm(algorithm)
        except UnknownKeyAlgorithmError as exc:
            raise ConfigError(str(exc)) from None
        return EcuConfig(
            logical_address=address,
            name=str(raw.get("name", f"ECU{address:04X}")),
            ecu_type=ecu_type,
            version=str(raw["version"]),
            region_address=_int(raw["region_address"], "region_address"),
            region_size=_int(raw["region_size"], "region_size"),
            secret=secret,
            serial_number=str(raw.get("serial_number", f"SIM{address:04X}000001")),
            supplier_version=str(raw.get("supplier_version", f"{ecu_type}-SUP")),
            max_block_length=_int(raw.get("max_block_length", default_block), "max_block_length"),
            erase_time_s=float(raw.get("erase_time_s", 0.2)),
            session_switch_time_s=float(raw.get("session_switch_time_s", 0.05)),
            security_delay_s=float(raw.get("security_delay_s", 10.0)),
            security_algorithm=algorithm.strip().upper(),
            dtcs=_dtcs_from_json(raw.get("dtcs", [])),
        )
    except KeyError as exc:
        raise ConfigError(f"ECU is missing the field {exc.args[0]!r}") from exc
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"invalid ECU value: {exc}") from exc


def _validate(vehicle: VehicleConfig) -> None:
    if len(vehicle.vin) != 17 or not vehicle.vin.isascii():
        raise ConfigError("vin must be 17 ASCII characters")
    addresses = [e.logical_address for e in vehicle.ecus]
    if len(set(addresses)) != len(addresses):
        raise ConfigError("ECU logical addresses must be unique")
    for e in vehicle.ecus:
        if not 0 < e.logical_address < 0x0E00:
            raise ConfigError(f"ECU logical address 0x{e.logical_address:04X} is not 0x0001-0x0DFF")
        if e.region_size <= 0 or e.region_address < 0:
            raise ConfigError(f"ECU 0x{e.logical_address:04X} needs a positive region size")
        if not 3 <= e.max_block_length <= 0xFFFFFF:
            raise ConfigError("max_block_length must be 3..0xFFFFFF bytes")


def load_config(path: Path) -> tuple[VehicleConfig, list[dict[str, Any]]]:
    """Read a JSON config: ``{"vin", "logical_address", "max_block_length", "ecus": [...],
    "faults": [...]}``. Returns the vehicle and the raw fault entries (see faults.parse_fault).

    Raises ConfigError on unreadable JSON or invalid fields.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read config {path.name}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError("the config must be a JSON object")
    default_block = _int(raw.get("max_block_length", DEFAULT_MAX_BLOCK_LENGTH), "max_block_length")
    if "ecus" in raw:
        if not isinstance(raw["ecus"], list) or not raw["ecus"]:
            raise ConfigError("ecus must be a non-empty list")
        ecus = tuple(_ecu_from_json(e, default_block) for e in raw["ecus"])
        vehicle = VehicleConfig(
            vin=str(raw.get("vin", demo_vehicle().vin)),
            logical_address=_int(raw.get("logical_address", 0x0010), "logical_address"),
            ecus=ecus,
        )
    else:
        vehicle = demo_vehicle().with_max_block_length(default_block)
        if "vin" in raw:
            vehicle = replace(vehicle, vin=str(raw["vin"]))
    _validate(vehicle)
    faults = raw.get("faults", [])
    if not isinstance(faults, list):
        raise ConfigError("faults must be a list")
    return vehicle, faults
