"""A simulated vehicle: the ECU servers of one vehicle config, with their storage."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from vehicle_sim.battery import Battery
from vehicle_sim.config import VehicleConfig
from vehicle_sim.ignition import Ignition
from vehicle_sim.storage import EcuStorage, FileStorage, InMemoryStorage
from vehicle_sim.uds import EcuServer

__all__ = ["SimulatedVehicle"]


class SimulatedVehicle:
    """The ECUs of ``config``. With ``state_dir`` their memory and state persist there
    (``ecu_<address>/``), so a new SimulatedVehicle on the same directory resumes them.
    ``clock`` (seconds, monotonic) times the ECUs' S3 session timers and security delays, and
    how long a lowered battery voltage or a switched-off ignition lasts. ``battery`` is shared
    by all ECUs; ``ignition`` is the vehicle's (the DoIP entity reports it)."""

    def __init__(
        self,
        config: VehicleConfig,
        *,
        state_dir: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.state_dir = state_dir
        self.battery = Battery(clock=clock)
        self.ignition = Ignition(clock=clock)
        self._ecus: dict[int, EcuServer] = {}
        for ecu_config in config.ecus:
            storage: EcuStorage
            if state_dir is None:
                storage = InMemoryStorage(ecu_config.region_size)
            else:
                directory = state_dir / f"ecu_{ecu_config.logical_address:04x}"
                storage = FileStorage(directory, size=ecu_config.region_size)
            server = EcuServer(
                ecu_config, vin=config.vin, storage=storage, clock=clock, battery=self.battery
            )
            # A power-on: volatile state starts fresh, persisted state is kept.
            server.reset()
            self._ecus[ecu_config.logical_address] = server

    def ecu(self, logical_address: int) -> EcuServer | None:
        return self._ecus.get(logical_address)

    def __iter__(self) -> Iterator[EcuServer]:
        return iter(self._ecus.values())

    def close(self) -> None:
        for server in self._ecus.values():
            server.close()
