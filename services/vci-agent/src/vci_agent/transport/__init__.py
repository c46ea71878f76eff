"""UDS transports: DoIP over TCP or TLS (the default), ISO-TP over a python-can bus and SAE J2534
pass-thru devices; DoIP vehicle discovery over UDP.

Each builder returns an opened-on-demand udsoncan ``BaseConnection``; the flash and vehicle code
only see that interface, so the transport is pluggable.
"""

from vci_agent.transport.battery import BatteryVoltmeter
from vci_agent.transport.discovery import DiscoveredEntity, DiscoveryError, discover
from vci_agent.transport.doip import (
    DEFAULT_CLIENT_LOGICAL_ADDRESS,
    TCP_DATA_PORT,
    TLS_DATA_PORT,
    ActivationType,
    DoipRefusedError,
    FastDoIPClient,
    RoutingActivationRefusedError,
    doip_connection,
    pack_doip_frame,
    tls_context,
)
from vci_agent.transport.isotp import IsoTpEndpoint, isotp_connection
from vci_agent.transport.j2534 import (
    J2534Connection,
    J2534Connector,
    J2534Device,
    J2534Error,
    J2534LibraryError,
)
from vci_agent.transport.tracing import TraceRecord, TracingConnection

__all__ = [
    "DEFAULT_CLIENT_LOGICAL_ADDRESS",
    "TCP_DATA_PORT",
    "TLS_DATA_PORT",
    "ActivationType",
    "BatteryVoltmeter",
    "DiscoveredEntity",
    "DiscoveryError",
    "DoipRefusedError",
    "FastDoIPClient",
    "IsoTpEndpoint",
    "J2534Connection",
    "J2534Connector",
    "J2534Device",
    "J2534Error",
    "J2534LibraryError",
    "RoutingActivationRefusedError",
    "TraceRecord",
    "TracingConnection",
    "discover",
    "doip_connection",
    "isotp_connection",
    "pack_doip_frame",
    "tls_context",
]
