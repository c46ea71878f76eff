"""UDS transports: DoIP over TCP (the default) and ISO-TP over a python-can bus.

Each builder returns an opened-on-demand udsoncan ``BaseConnection``; the flash and vehicle code
only see that interface, so the transport is pluggable.
"""

from vci_agent.transport.doip import (
    DEFAULT_CLIENT_LOGICAL_ADDRESS,
    FastDoIPClient,
    doip_connection,
    pack_doip_frame,
)
from vci_agent.transport.isotp import IsoTpEndpoint, isotp_connection
from vci_agent.transport.tracing import TraceRecord, TracingConnection

__all__ = [
    "DEFAULT_CLIENT_LOGICAL_ADDRESS",
    "FastDoIPClient",
    "IsoTpEndpoint",
    "TraceRecord",
    "TracingConnection",
    "doip_connection",
    "isotp_connection",
    "pack_doip_frame",
]
