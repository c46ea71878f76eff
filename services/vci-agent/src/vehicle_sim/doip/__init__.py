"""DoIP (ISO 13400-2) over TCP, TLS and UDP discovery: the codec and the asyncio entity."""

from vehicle_sim.doip.entity import (
    CAN_500K_PAYLOAD_BYTES_PER_S,
    DEFAULT_FUNCTIONAL_ADDRESS,
    DoipEntity,
)
from vehicle_sim.doip.tls import TLS_DATA_PORT, server_tls_context

__all__ = [
    "CAN_500K_PAYLOAD_BYTES_PER_S",
    "DEFAULT_FUNCTIONAL_ADDRESS",
    "TLS_DATA_PORT",
    "DoipEntity",
    "server_tls_context",
]
