"""UDS (ISO 14229-1) server of one simulated ECU: pure, synchronous protocol code."""

from vehicle_sim.uds.constants import NRC, SID, Session
from vehicle_sim.uds.reply import Reply, negative_response, pending_response
from vehicle_sim.uds.server import EcuServer

__all__ = ["NRC", "SID", "EcuServer", "Reply", "Session", "negative_response", "pending_response"]
