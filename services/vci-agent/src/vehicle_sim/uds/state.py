"""The volatile state of one ECU: lost on reset or power loss."""

from dataclasses import dataclass

from vehicle_sim.uds.constants import Session

__all__ = ["Download", "VolatileState"]


@dataclass(slots=True)
class Download:
    """An active RequestDownload. Offsets are relative to the region start, in bytes."""

    start: int
    end: int
    next_offset: int
    max_block_length: int
    last_bsc: int | None = None
    blocks: int = 0


@dataclass(slots=True)
class VolatileState:
    session: Session = Session.DEFAULT
    unlocked_level: int | None = None
    # (requestSeed level, seed) of the last seed sent and not yet answered.
    pending_seed: tuple[int, bytes] | None = None
    download: Download | None = None
    communication_control: int = 0x00
    dtc_setting_on: bool = True
