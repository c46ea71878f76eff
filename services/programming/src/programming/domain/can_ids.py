"""The CAN ids an ECU type is reached by on ISO-TP (ISO 15765-2, 11-bit ids, normal
addressing): a request id the tester sends to and a response id the ECU answers on."""

from __future__ import annotations

__all__ = ["MAX_STANDARD_CAN_ID", "can_ids_problem", "format_can_ids"]

MAX_STANDARD_CAN_ID = 0x7FF


def can_ids_problem(request: int | None, response: int | None) -> str | None:
    """What is wrong with a (request id, response id) pair, or None when it is fine: both
    11-bit (0x000-0x7FF) and different, or both None (the ids are not known)."""
    if request is None and response is None:
        return None
    if request is None or response is None:
        return (
            "Give both CAN ids, the request id and the response id, or neither (an ECU is "
            "reached by the pair)."
        )
    for name, value in (("request", request), ("response", response)):
        if not 0 <= value <= MAX_STANDARD_CAN_ID:
            return (
                f"The CAN {name} id {value:#x} is not an 11-bit id: use 0x000-0x7FF "
                "(extended 29-bit ids are not supported)."
            )
    if request == response:
        return (
            f"The CAN request and response ids are both {request:#05x}: the ECU answers on "
            "an id of its own (e.g. 0x712 and 0x71A)."
        )
    return None


def format_can_ids(request: int | None, response: int | None) -> str:
    """``0x712/0x71A``, or ``-`` when not known."""
    if request is None or response is None:
        return "-"
    return f"{request:#05x}/{response:#05x}"
