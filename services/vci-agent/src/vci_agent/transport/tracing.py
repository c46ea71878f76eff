"""A udsoncan connection wrapper that records one trace record per UDS exchange.

It sits between udsoncan's ``Client`` and the real transport, so every request is timed from
send to its final answer (a 0x7F xx 0x78 "response pending" keeps the exchange open). Records
hold the service, sub-function/DID/routine, positive or NRC, block counter and duration - never
payload bytes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from udsoncan.connections import BaseConnection
from udsoncan.exceptions import TimeoutException

from vci_agent.transport.battery import BatteryVoltmeter

__all__ = ["NO_RESPONSE_NRC", "TraceRecord", "TracingConnection", "describe_request"]

# Stored in ``TraceRecord.nrc`` when no answer came in time (not a valid ISO 14229 NRC).
NO_RESPONSE_NRC = 0x00

_SUBFUNCTION_SERVICES = frozenset({0x10, 0x11, 0x19, 0x27, 0x28, 0x3E, 0x85})
_DID_SERVICES = frozenset({0x22, 0x2E})
_RESPONSE_PENDING = 0x78


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One UDS exchange. ``duration_us`` in microseconds; ``timed_out`` when no answer came."""

    at: datetime
    service_id: int
    subfunction_or_id: int
    positive: bool
    nrc: int
    block_counter: int
    duration_us: int
    request_length: int
    retried: bool
    timed_out: bool = False


def describe_request(payload: bytes) -> tuple[int, int, int]:
    """(service id, sub-function/DID/routine id, block counter) of a UDS request."""
    if not payload:
        return 0, 0, 0
    sid = payload[0]
    if sid in _SUBFUNCTION_SERVICES and len(payload) >= 2:
        return sid, payload[1] & 0x7F, 0
    if sid in _DID_SERVICES and len(payload) >= 3:
        return sid, int.from_bytes(payload[1:3], "big"), 0
    if sid == 0x31 and len(payload) >= 4:
        return sid, int.from_bytes(payload[2:4], "big"), 0
    if sid == 0x36 and len(payload) >= 2:
        return sid, 0, payload[1]
    return sid, 0, 0


class TracingConnection(BaseConnection):
    """Wraps ``inner`` and calls ``sink`` with a ``TraceRecord`` for every finished exchange.

    ``mark_retry()`` flags the next request as a resend after a lost response.
    """

    def __init__(self, inner: BaseConnection, sink: Callable[[TraceRecord], None]) -> None:
        super().__init__(name=f"trace-{inner.name}")
        self.inner = inner
        self._sink = sink
        self._pending: tuple[datetime, float, int, int, int, int, bool] | None = None
        self._retry_next = False

    def mark_retry(self) -> None:
        self._retry_next = True

    def open(self) -> TracingConnection:
        if not self.inner.is_open():
            self.inner.open()
        return self

    def close(self) -> None:
        self._flush_timeout()
        self.inner.close()

    def is_open(self) -> bool:
        return bool(self.inner.is_open())

    def empty_rxqueue(self) -> None:
        self.inner.empty_rxqueue()

    def battery_volts(self) -> float | None:
        """The inner connection's ``BatteryVoltmeter`` reading; None when it has none (no UDS
        exchange, so nothing is traced)."""
        if isinstance(self.inner, BatteryVoltmeter):
            return self.inner.battery_volts()
        return None

    def specific_send(self, payload: bytes, timeout: float | None = None) -> None:
        self._flush_timeout()
        sid, sub, bsc = describe_request(payload)
        retried, self._retry_next = self._retry_next, False
        self._pending = (
            datetime.now(UTC),
            time.perf_counter(),
            sid,
            sub,
            bsc,
            len(payload),
            retried,
        )
        # Straight to the transport: BaseConnection.send would hex-format the payload again
        # for a debug line (udsoncan builds it eagerly), a cost per byte on every block.
        if "timeout" in self.inner.specific_send.__code__.co_varnames:
            self.inner.specific_send(payload, timeout=timeout)
        else:
            self.inner.specific_send(payload)

    def specific_wait_frame(self, timeout: float | None = None) -> bytes | None:
        try:
            frame: bytes | None = self.inner.specific_wait_frame(timeout=timeout)
        except TimeoutException:
            self._flush_timeout()
            raise
        if frame is None or self._pending is None:
            return frame
        if len(frame) >= 3 and frame[0] == 0x7F and frame[2] == _RESPONSE_PENDING:
            return frame
        positive = frame[0] != 0x7F
        nrc = 0 if positive or len(frame) < 3 else frame[2]
        self._finish(positive=positive, nrc=nrc, timed_out=False)
        return frame

    def _flush_timeout(self) -> None:
        if self._pending is not None:
            self._finish(positive=False, nrc=NO_RESPONSE_NRC, timed_out=True)

    def _finish(self, *, positive: bool, nrc: int, timed_out: bool) -> None:
        assert self._pending is not None
        at, started, sid, sub, bsc, length, retried = self._pending
        self._pending = None
        self._sink(
            TraceRecord(
                at=at,
                service_id=sid,
                subfunction_or_id=sub,
                positive=positive,
                nrc=nrc,
                block_counter=bsc,
                duration_us=int((time.perf_counter() - started) * 1_000_000),
                request_length=length,
                retried=retried,
                timed_out=timed_out,
            )
        )
