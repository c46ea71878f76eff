"""The plan of a session: which ECUs to flash, to what, and how long each job takes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from programming.domain.versions import is_older

__all__ = ["EcuState", "PlannedJob", "TargetRelease", "estimate_seconds", "plan_jobs"]


@dataclass(frozen=True)
class EcuState:
    """One ECU as the agent reported it."""

    logical_address: int
    name: str
    ecu_type: str
    software_version: str
    in_bootloader: bool = False


@dataclass(frozen=True)
class TargetRelease:
    """The release an ECU type should run in this model series."""

    ecu_type: str
    version: str
    release_id: str
    image_size: int


@dataclass(frozen=True)
class PlannedJob:
    ecu: EcuState
    target: TargetRelease
    estimated_seconds: int
    reason: str  # "outdated" or "in-bootloader"


def estimate_seconds(
    image_size: int, *, rate_bytes_per_second: int, overhead_seconds: float
) -> int:
    """Whole seconds (rounded up) to flash ``image_size`` bytes at the assumed rate, plus the
    fixed overhead of erase, checks and reset."""
    return math.ceil(image_size / rate_bytes_per_second + overhead_seconds)


def plan_jobs(
    ecus: list[EcuState],
    targets: dict[str, TargetRelease],
    *,
    rate_bytes_per_second: int,
    overhead_seconds: float,
) -> list[PlannedJob]:
    """One job per ECU that is older than its target or stuck in the bootloader (that one is
    always reflashed, whatever version it claims). ECUs without a target are left alone.
    Jobs are ordered by logical address, so a plan is reproducible."""
    jobs: list[PlannedJob] = []
    for ecu in sorted(ecus, key=lambda e: e.logical_address):
        target = targets.get(ecu.ecu_type)
        if target is None:
            continue
        if ecu.in_bootloader:
            reason = "in-bootloader"
        elif is_older(ecu.software_version, target.version):
            reason = "outdated"
        else:
            continue
        estimate = estimate_seconds(
            target.image_size,
            rate_bytes_per_second=rate_bytes_per_second,
            overhead_seconds=overhead_seconds,
        )
        jobs.append(PlannedJob(ecu=ecu, target=target, estimated_seconds=estimate, reason=reason))
    return jobs
