"""udsoncan client configuration shared by the flasher and the vehicle reader. The DID numbers
and the battery voltage scale come from the contracts package (``aos_contracts.uds``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from udsoncan import DidCodec
from udsoncan.configs import default_client_config
from udsoncan.typing import ClientConfig

from aos_contracts.uds import (
    DID_BATTERY_VOLTAGE,
    DID_FINGERPRINT,
    DID_PROGRAMMING_DATE,
    DID_SERIAL_NUMBER,
    DID_SOFTWARE_VERSION,
    DID_SUPPLIER_VERSION,
    DID_VIN,
    decode_battery_volts,
    encode_battery_volts,
)

__all__ = [
    "DID_BATTERY_VOLTAGE",
    "DID_FINGERPRINT",
    "DID_PROGRAMMING_DATE",
    "DID_SERIAL_NUMBER",
    "DID_SOFTWARE_VERSION",
    "DID_SUPPLIER_VERSION",
    "DID_VIN",
    "AsciiDidCodec",
    "MillivoltDidCodec",
    "RawDidCodec",
    "UdsTiming",
    "client_config",
]


class AsciiDidCodec(DidCodec):
    """Variable-length ASCII (the whole rest of the answer), NUL/space padding stripped."""

    def encode(self, *did_value: Any) -> bytes:
        return str(did_value[0]).encode("ascii")

    def decode(self, did_payload: bytes) -> Any:
        return bytes(did_payload).decode("ascii", errors="replace").rstrip("\0 ")

    def __len__(self) -> int:
        raise DidCodec.ReadAllRemainingData


class RawDidCodec(DidCodec):
    """Bytes in, bytes out (fingerprint and programming date)."""

    def encode(self, *did_value: Any) -> bytes:
        return bytes(did_value[0])

    def decode(self, did_payload: bytes) -> Any:
        return bytes(did_payload)

    def __len__(self) -> int:
        raise DidCodec.ReadAllRemainingData


class MillivoltDidCodec(DidCodec):
    """Two bytes, unsigned millivolts, decoded to volts."""

    def encode(self, *did_value: Any) -> bytes:
        return encode_battery_volts(float(did_value[0]))

    def decode(self, did_payload: bytes) -> Any:
        return decode_battery_volts(did_payload)

    def __len__(self) -> int:
        return 2


@dataclass(frozen=True, slots=True)
class UdsTiming:
    """Seconds. ``p2`` waits for a first answer (a lost one is retried after it), ``p2_star``
    after a 0x78 response pending, ``request`` bounds a whole exchange."""

    p2: float = 1.0
    p2_star: float = 5.0
    request: float = 30.0


def client_config(
    *,
    timing: UdsTiming,
    security_algo: Callable[..., bytes] | None = None,
) -> ClientConfig:
    """A udsoncan client config: DID codecs, 32-bit address/size, our timing (not the ECU's)."""
    config: dict[str, Any] = dict(default_client_config)
    config.update(
        {
            "data_identifiers": {
                DID_VIN: AsciiDidCodec(),
                DID_SOFTWARE_VERSION: AsciiDidCodec(),
                DID_SUPPLIER_VERSION: AsciiDidCodec(),
                DID_SERIAL_NUMBER: AsciiDidCodec(),
                DID_FINGERPRINT: RawDidCodec(),
                DID_PROGRAMMING_DATE: RawDidCodec(),
                DID_BATTERY_VOLTAGE: MillivoltDidCodec(),
            },
            "server_address_format": 32,
            "server_memorysize_format": 32,
            "use_server_timing": False,
            "p2_timeout": timing.p2,
            "p2_star_timeout": timing.p2_star,
            "request_timeout": timing.request,
            "security_algo": security_algo,
        }
    )
    return cast(ClientConfig, config)
