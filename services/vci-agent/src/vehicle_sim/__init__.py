"""A simulated vehicle: a DoIP entity with UDS ECUs, for tests and demos without a car.

Layers, each usable on its own:

- ``vehicle_sim.uds``: one ECU's UDS server, pure and synchronous (``EcuServer.handle``);
- ``vehicle_sim.doip``: the DoIP entity (ISO 13400-2: TCP, TLS, UDP identification) on asyncio;
- ``vehicle_sim.isotp_bus``: the same ECUs over ISO-TP on python-can's in-process virtual bus;
- ``vehicle_sim.testing``: ``running_vehicle`` and friends for tests;
- ``vehicle_sim.cli``: ``aos-vehicle-sim serve``.
"""

from vehicle_sim.config import EcuConfig, VehicleConfig, demo_vehicle, load_config
from vehicle_sim.faults import Fault, FaultInjector, FaultKind, parse_fault
from vehicle_sim.security import compute_key
from vehicle_sim.vehicle import SimulatedVehicle

__all__ = [
    "EcuConfig",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "SimulatedVehicle",
    "VehicleConfig",
    "compute_key",
    "demo_vehicle",
    "load_config",
    "parse_fault",
]
