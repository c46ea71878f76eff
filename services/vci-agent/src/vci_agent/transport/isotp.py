"""UDS over ISO-TP (ISO 15765-2) on any python-can bus, with can-isotp's NotifierBasedCanStack.

udsoncan's ``IsoTPSocketConnection`` needs Linux SocketCAN; this transport works with every
python-can interface (``virtual`` in tests, a USB adapter in the workshop). The caller owns the
bus; the returned connection owns the ISO-TP stack and stops it on close. A python-can notifier
is the bus' only reader: pass the one shared by every connection on that bus (each stack adds
its own listener, so connections to several ECUs can be open at once), or none, and then the
connection makes one and stops it on close.

A connection also sends functionally addressed requests (``send_functional``: one single frame
on the endpoint's functional id, 0x7DF by default, which every ECU of the bus listens to). It
writes that frame with a can-isotp protocol layer of its own that never reads: a second stack
on the bus would also take the ECU's answers and send its own flow control.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import can
import isotp
from udsoncan.connections import BaseConnection, PythonIsoTpConnection

__all__ = [
    "CLASSICAL_CAN_500K_DATA_BITRATE",
    "FUNCTIONAL_CAN_ID",
    "IsoTpEndpoint",
    "isotp_connection",
]

# can-isotp's rate limiter counts data bits only: a classical 8-byte CAN frame is about 111 bits
# on the wire for 64 data bits, so 500 kbit/s of bus time is 500000 * 64 / 111 data bit/s.
CLASSICAL_CAN_500K_DATA_BITRATE = 500_000 * 64 // 111
# The functional request id of 11-bit CAN diagnostics (ISO 15765-4 gives it to OBD; makers'
# diagnostic stacks use it too).
FUNCTIONAL_CAN_ID = 0x7DF


@dataclass(frozen=True, slots=True)
class IsoTpEndpoint:
    """The CAN ids of one ECU (11-bit normal addressing) and the stack's timing parameters.

    ``rate_limit_bitrate`` (data bit/s) throttles transmission, e.g. to the 500 kbit/s bus rate.
    ``functional_id`` is where functionally addressed requests go (None: physically instead).
    """

    txid: int
    rxid: int
    blocksize: int = 0
    stmin: int = 0
    rate_limit_bitrate: int | None = None
    functional_id: int | None = FUNCTIONAL_CAN_ID


class _IsoTpConnection(PythonIsoTpConnection):
    """The udsoncan connection, plus ``send_functional``; stops ``notifier`` (if given: the
    connection's own) after closing."""

    def __init__(
        self,
        stack: isotp.NotifierBasedCanStack,
        *,
        name: str,
        bus: can.BusABC,
        functional: isotp.Address | None,
        params: dict[str, Any],
        notifier: can.Notifier | None = None,
    ) -> None:
        super().__init__(stack, name=name)
        self._notifier = notifier
        self._functional: isotp.TransportLayerLogic | None = None
        if functional is not None:

            def write(message: isotp.CanMessage) -> None:
                bus.send(
                    can.Message(
                        arbitration_id=message.arbitration_id,
                        data=message.data,
                        is_extended_id=message.is_extended_id,
                    )
                )

            self._functional = isotp.TransportLayerLogic(
                rxfn=lambda timeout: None, txfn=write, address=functional, params=params
            )

    def send_functional(self, payload: bytes) -> None:
        """Send ``payload`` functionally addressed, as one single frame (at most 7 bytes:
        can-isotp raises ``ValueError`` for more); physically when the endpoint has no
        functional id. Raises ``can.CanError`` when the bus refuses the frame."""
        if self._functional is None:
            self.send(payload)
            return
        self._functional.send(payload, target_address_type=isotp.TargetAddressType.Functional)
        self._functional.process()  # a single frame goes out at once

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._notifier is not None:
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
    functional = None
    if endpoint.functional_id is not None:
        # The rxid is never used: this layer only sends.
        functional = isotp.Address(
            isotp.AddressingMode.Normal_11bits,
            txid=endpoint.functional_id,
            rxid=endpoint.rxid,
        )
    reader = notifier if notifier is not None else can.Notifier(bus, [], timeout=0.1)
    stack = isotp.NotifierBasedCanStack(bus, reader, address=address, params=params)
    connection = _IsoTpConnection(
        stack,
        name=name,
        bus=bus,
        functional=functional,
        params=params,
        notifier=reader if notifier is None else None,
    )
    connection.open()
    return connection
