"""The plan: which ECUs get a job, and the estimate of each."""

from __future__ import annotations

from programming.domain.plan import EcuState, TargetRelease, estimate_seconds, plan_jobs

TARGETS = {
    "DME_B48": TargetRelease("DME_B48", "1.1.0", "r-dme", image_size=393_280),
    "BDC_G20": TargetRelease("BDC_G20", "2.3.0", "r-bdc", image_size=262_208),
}


def ecu(address: int, ecu_type: str, version: str, *, in_bootloader: bool = False) -> EcuState:
    return EcuState(address, ecu_type[:3], ecu_type, version, in_bootloader=in_bootloader)


def plan(ecus: list[EcuState]) -> list[tuple[int, str]]:
    jobs = plan_jobs(ecus, TARGETS, rate_bytes_per_second=25_000, overhead_seconds=20)
    return [(job.ecu.logical_address, job.reason) for job in jobs]


def test_outdated_ecu_gets_a_job_and_current_ones_do_not() -> None:
    assert plan([ecu(0x12, "DME_B48", "1.0.0"), ecu(0x40, "BDC_G20", "2.3.0")]) == [
        (0x12, "outdated")
    ]


def test_ecu_in_bootloader_always_gets_a_job_even_when_current() -> None:
    assert plan([ecu(0x40, "BDC_G20", "2.3.0", in_bootloader=True)]) == [(0x40, "in-bootloader")]


def test_newer_ecu_than_target_is_not_downgraded() -> None:
    assert plan([ecu(0x12, "DME_B48", "2.0.0")]) == []


def test_ecu_without_target_is_left_alone() -> None:
    assert plan([ecu(0x63, "HU_MGU", "1.0.0")]) == []


def test_jobs_are_ordered_by_logical_address() -> None:
    ecus = [ecu(0x40, "BDC_G20", "2.0.0"), ecu(0x12, "DME_B48", "1.0.0")]
    assert [address for address, _ in plan(ecus)] == [0x12, 0x40]


def test_estimate_is_size_over_rate_plus_overhead_rounded_up() -> None:
    assert estimate_seconds(393_280, rate_bytes_per_second=25_000, overhead_seconds=20) == 36
    assert estimate_seconds(25_000, rate_bytes_per_second=25_000, overhead_seconds=0) == 1


def test_planned_job_carries_its_estimate() -> None:
    jobs = plan_jobs(
        [ecu(0x12, "DME_B48", "1.0.0")], TARGETS, rate_bytes_per_second=25_000, overhead_seconds=20
    )
    assert jobs[0].estimated_seconds == 36
