from __future__ import annotations

import pytest
from udsoncan.connections import BaseConnection

from vci_agent.transport.tracing import TraceRecord, TracingConnection, describe_request


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (b"\x10\x02", (0x10, 0x02, 0)),
        (b"\x3e\x80", (0x3E, 0x00, 0)),
        (b"\x27\x11", (0x27, 0x11, 0)),
        (b"\x22\xf1\x90", (0x22, 0xF190, 0)),
        (b"\x2e\xf1\x98" + bytes(10), (0x2E, 0xF198, 0)),
        (b"\x31\x01\xff\x00\x44", (0x31, 0xFF00, 0)),
        (b"\x36\x2a" + bytes(100), (0x36, 0, 0x2A)),
        (b"\x37", (0x37, 0, 0)),
    ],
)
def test_describe_request_extracts_service_identifier_and_counter(
    request_bytes: bytes, expected: tuple[int, int, int]
) -> None:
    assert describe_request(request_bytes) == expected


class _Inner(BaseConnection):
    """A transport at the boundary: it answers nothing; only its battery reading matters."""

    def open(self) -> _Inner:
        return self

    def close(self) -> None:
        pass

    def is_open(self) -> bool:
        return True

    def empty_rxqueue(self) -> None:
        pass

    def specific_send(self, payload: bytes, timeout: float | None = None) -> None:
        pass

    def specific_wait_frame(self, timeout: float | None = None) -> bytes | None:
        return None


class _MeasuringInner(_Inner):
    def battery_volts(self) -> float | None:
        return 13.9


def test_the_battery_reading_of_a_measuring_transport_is_passed_through_untraced() -> None:
    records: list[TraceRecord] = []

    assert TracingConnection(_MeasuringInner(), records.append).battery_volts() == 13.9
    assert records == []


def test_a_transport_that_cannot_measure_gives_no_battery_reading() -> None:
    assert TracingConnection(_Inner(), lambda record: None).battery_volts() is None
