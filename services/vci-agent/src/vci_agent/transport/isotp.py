"""UDS over ISO-TP (ISO 15765-2) on any python-can bus, with can-isotp's NotifierBasedCanStack.

udsoncan's ``IsoTPSocketConnection`` needs Linux SocketCAN; this transport works with every
python-can interface (``virtual`` in tests, a USB adapter in the workshop). The caller owns the
bus; the returned connection owns the ISO-TP stack and stops it on close. A python-can notifier
is the bus' only reader: pass the one shared by every connection on that bus (each stack adds
its own listener, so connections to several ECUs can be open at once), or none, and then the
connection makes one and stops it on close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import can
import isotp
from udsoncan.connections import BaseConnection, PythonIsoTpConnection

__all__ = ["CLASSICAL_CAN_500K_DATA_BITRATE", "IsoTpEndpoint", "isotp_connection"]

# can-isotp's rate limiter counts data bits only: a classical 8-byte CAN frame is about 111 bits
# on the wire for 64 data bits, so 500 kbit/s of bus time is 500000 * 64 / 111 data bit/s.
CLASSICAL_CAN_500K_DATA_BITRATE = 500_000 * 64 // 111


@dataclass(frozen=True, slots=True)
class IsoTpEndpoint:
    """The CAN ids of one ECU (11-bit normal addressing) and the stack's timing parameters.

    ``rate_limit_bitrate`` (data bit/s) throttles transmission, e.g. to the 500 kbit/s bus rate.
    """

    txid: int
    rxid: int
    blocksize: int = 0
    stmin: int = 0
    rate_limit_bitrate: int | None = None


class _OwnedNotifierConnection(PythonIsoTpConnection):
    """Stops the python-can notifier it was given after closing the ISO-TP connection."""

    def __init__(self, stack: isotp.NotifierBasedCanStack, notifier: can.Notifier, name: str):
        super().__init__(stack, name=name)
        self._notifier = notifier

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._notifier.stop()


def isotp_connection(
    bus: can.BusABC, endpoint: IsoTpEndpoint, *, notifier: can.Notifier | None = None
) -> BaseConnection:
    """Return an opened udsoncan connection speaking ISO-TP to ``endpoint`` on ``bus``, reading
    through ``notifier`` (not stopped on close) or a notifier of its own."""
    params: dict[str, Any] = {
        "blocksize": endpoint.blocksize,
        "stmin": endpoint.stmin,
        "tx_data_min_length": 8,
        "tx_padding": 0x00,
        "max_frame_size": 0xFFFFFFFF,
        "blocking_send": False,
    }
    if endpoint.rate_limit_bitrate is not None:
        params["rate_limit_enable"] = True
        params["rate_limit_max_bitrate"] = endpoint.rate_limit_bitrate
    address = isotp.Address(
        isotp.AddressingMode.Normal_11bits, txid=endpoint.txid, rxid=endpoint.rxid
    )
    name = f"isotp-{endpoint.txid:03X}"
    connection: PythonIsoTpConnection
    if notifier is not None:
        stack = isotp.NotifierBasedCanStack(bus, notifier, address=address, params=params)
        connection = PythonIsoTpConnection(stack, name=name)
    else:
        own = can.Notifier(bus, [], timeout=0.1)
        stack = isotp.NotifierBasedCanStack(bus, own, address=address, params=params)
        connection = _OwnedNotifierConnection(stack, own, name=name)
    connection.open()
    return connection
