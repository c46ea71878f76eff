"""What a UDS service handler returns: the response bytes and an optional pending phase."""

from dataclasses import dataclass

from vehicle_sim.uds.constants import NRC

__all__ = ["NegativeResponseError", "Reply", "negative_response", "pending_response"]


class NegativeResponseError(Exception):
    """Raised by a service handler to answer `7F <SID> <nrc>`."""

    def __init__(self, nrc: NRC) -> None:
        super().__init__(f"NRC 0x{nrc:02X} {nrc.name}")
        self.nrc = nrc


@dataclass(frozen=True, slots=True)
class Reply:
    """The server's answer to one request.

    ``response`` is None when the positive response is suppressed (sub-function bit 0x80).
    ``pending_s`` > 0 means: answer `7F <SID> 78` (response pending) at once, then ``response``
    after ``pending_s`` seconds (the state change itself has already happened).
    """

    response: bytes | None
    pending_s: float = 0.0


def negative_response(sid: int, nrc: int) -> bytes:
    return bytes((0x7F, sid, nrc))


def pending_response(sid: int) -> bytes:
    return bytes((0x7F, sid, NRC.RESPONSE_PENDING))
