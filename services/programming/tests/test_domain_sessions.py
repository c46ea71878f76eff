"""Session and job state: every transition, allowed and refused; the typed vehicle report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from programming.domain import sessions as states
from programming.domain.sessions import JobState, SessionState, TransitionError
from programming.domain.vehicle import EcuSnapshot, VehicleSnapshot

AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@dataclass
class Session:
    state: str = ""
    abort_requested: bool = False
    started_by: uuid.UUID | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    end_detail: str | None = None


@dataclass
class Job:
    state: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    detail: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def test_state_values_are_the_stored_strings() -> None:
    assert [s.value for s in SessionState] == [
        "PLANNED", "RUNNING", "COMPLETED", "EXPIRED", "ABORTED", "FAILED"
    ]  # fmt: skip
    assert [s.value for s in JobState] == [
        "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "REFUSED", "SKIPPED", "TIMED_OUT"
    ]  # fmt: skip


def test_plan_makes_the_session_planned_and_its_jobs_pending() -> None:
    session, jobs = Session(abort_requested=True), [Job(), Job()]
    states.plan(session, jobs)
    assert session.state == SessionState.PLANNED and not session.abort_requested
    assert [job.state for job in jobs] == [JobState.PENDING, JobState.PENDING]


def test_start_moves_planned_to_running_with_who_and_when() -> None:
    session = Session(state=SessionState.PLANNED)
    user = uuid.uuid4()
    states.start(session, by=user, at=AT)
    assert (session.state, session.started_by, session.started_at) == ("RUNNING", user, AT)


@pytest.mark.parametrize("current", ["RUNNING", "COMPLETED", "EXPIRED", "ABORTED", "FAILED"])
def test_start_is_refused_unless_planned(current: str) -> None:
    session = Session(state=current)
    with pytest.raises(TransitionError) as raised:
        states.start(session, by=uuid.uuid4(), at=AT)
    assert raised.value.current == current and raised.value.wanted == "RUNNING"
    assert session.state == current and session.started_at is None


def test_claim_moves_pending_to_running() -> None:
    job = Job(state=JobState.PENDING)
    states.claim(job, at=AT)
    assert (job.state, job.started_at) == ("RUNNING", AT)


@pytest.mark.parametrize(
    "current", ["RUNNING", "SUCCEEDED", "FAILED", "REFUSED", "SKIPPED", "TIMED_OUT"]
)
def test_claim_is_refused_unless_pending(current: str) -> None:
    job = Job(state=current)
    with pytest.raises(TransitionError):
        states.claim(job, at=AT)
    assert job.state == current and job.started_at is None


@pytest.mark.parametrize("current", ["RUNNING", "TIMED_OUT"])
@pytest.mark.parametrize("outcome", [JobState.SUCCEEDED, JobState.FAILED, JobState.REFUSED])
def test_a_result_is_taken_by_a_running_or_timed_out_job(current: str, outcome: JobState) -> None:
    job = Job(state=current)
    states.record_result(job, outcome, detail="d", at=AT)
    assert (job.state, job.detail, job.finished_at) == (outcome, "d", AT)


@pytest.mark.parametrize("current", ["PENDING", "SUCCEEDED", "FAILED", "REFUSED", "SKIPPED"])
def test_a_result_is_refused_by_a_job_not_awaiting_one(current: str) -> None:
    job = Job(state=current)
    with pytest.raises(TransitionError):
        states.record_result(job, JobState.SUCCEEDED, detail=None, at=AT)
    assert job.state == current and job.finished_at is None


@pytest.mark.parametrize("outcome", [JobState.PENDING, JobState.RUNNING, JobState.SKIPPED])
def test_a_result_must_be_an_outcome(outcome: JobState) -> None:
    job = Job(state=JobState.RUNNING)
    with pytest.raises(TransitionError):
        states.record_result(job, outcome, detail=None, at=AT)
    assert job.state == JobState.RUNNING


def test_fail_failed_ends_the_job_and_timed_out_leaves_it_open() -> None:
    failed, timed_out = Job(state=JobState.RUNNING), Job(state=JobState.RUNNING)
    states.fail(failed, JobState.FAILED, reason="not sent", at=AT)
    states.fail(timed_out, JobState.TIMED_OUT, reason="no result", at=AT)
    assert (failed.state, failed.detail, failed.finished_at) == ("FAILED", "not sent", AT)
    assert (timed_out.state, timed_out.finished_at) == ("TIMED_OUT", None)
    # A late result still moves the timed-out job to its real outcome.
    states.record_result(timed_out, JobState.SUCCEEDED, detail=None, at=AT)
    assert timed_out.state == JobState.SUCCEEDED


@pytest.mark.parametrize("current", ["PENDING", "SUCCEEDED", "SKIPPED", "TIMED_OUT"])
def test_fail_is_refused_unless_running(current: str) -> None:
    job = Job(state=current)
    with pytest.raises(TransitionError):
        states.fail(job, JobState.FAILED, reason="x", at=AT)
    assert job.state == current


def test_fail_takes_only_failed_or_timed_out() -> None:
    with pytest.raises(TransitionError):
        states.fail(Job(state=JobState.RUNNING), JobState.SUCCEEDED, reason="x", at=AT)


@pytest.mark.parametrize(
    "final",
    [SessionState.COMPLETED, SessionState.EXPIRED, SessionState.ABORTED, SessionState.FAILED],
)
def test_end_of_a_running_session_skips_the_jobs_that_never_started(final: SessionState) -> None:
    session = Session(state=SessionState.RUNNING)
    jobs = [Job(state=JobState.SUCCEEDED), Job(state=JobState.RUNNING), Job(state=JobState.PENDING)]
    states.end(session, jobs, final, detail="why", at=AT)
    assert (session.state, session.end_detail, session.ended_at) == (final, "why", AT)
    assert [job.state for job in jobs] == ["SUCCEEDED", "RUNNING", "SKIPPED"]


def test_a_planned_session_can_only_be_aborted() -> None:
    aborted = Session(state=SessionState.PLANNED)
    states.end(aborted, [Job(state=JobState.PENDING)], SessionState.ABORTED, detail="u", at=AT)
    assert aborted.state == SessionState.ABORTED
    planned = Session(state=SessionState.PLANNED)
    with pytest.raises(TransitionError):
        states.end(planned, [], SessionState.COMPLETED, detail="x", at=AT)
    assert planned.state == SessionState.PLANNED


@pytest.mark.parametrize("current", ["COMPLETED", "EXPIRED", "ABORTED", "FAILED"])
def test_an_ended_session_does_not_end_again(current: str) -> None:
    session, job = Session(state=current, end_detail="first"), Job(state=JobState.PENDING)
    with pytest.raises(TransitionError):
        states.end(session, [job], SessionState.FAILED, detail="second", at=AT)
    assert (session.state, session.end_detail, job.state) == (current, "first", "PENDING")


@pytest.mark.parametrize("final", [SessionState.PLANNED, SessionState.RUNNING])
def test_end_takes_only_a_final_state(final: SessionState) -> None:
    with pytest.raises(TransitionError):
        states.end(Session(state=SessionState.RUNNING), [], final, detail="x", at=AT)


@pytest.mark.parametrize("current", ["PLANNED", "RUNNING"])
def test_abort_is_requested_on_a_session_that_has_not_ended(current: str) -> None:
    session = Session(state=current)
    states.request_abort(session)
    assert session.abort_requested and session.state == current


@pytest.mark.parametrize("current", ["COMPLETED", "EXPIRED", "ABORTED", "FAILED"])
def test_abort_is_refused_on_an_ended_session(current: str) -> None:
    session = Session(state=current)
    with pytest.raises(TransitionError):
        states.request_abort(session)
    assert not session.abort_requested


def test_vehicle_snapshot_orders_ecus_and_keeps_the_stored_json_form() -> None:
    vehicle = VehicleSnapshot(
        vin="WBA5F3103MFX12345",
        read_at=AT,
        ecus=(
            EcuSnapshot(0x40, "BDC", "BDC_G20", "2.3.0", "B1"),
            EcuSnapshot(0x12, "DME", "DME_B48", "", "D1", in_bootloader=True),
        ),
    )
    stored = vehicle.to_json()
    assert stored == {
        "vin": "WBA5F3103MFX12345",
        "read_at": "2026-05-01T12:00:00+00:00",
        "ecus": [
            {"logical_address": 0x12, "name": "DME", "ecu_type": "DME_B48",
             "software_version": "", "serial_number": "D1", "in_bootloader": True},
            {"logical_address": 0x40, "name": "BDC", "ecu_type": "BDC_G20",
             "software_version": "2.3.0", "serial_number": "B1", "in_bootloader": False},
        ],
    }  # fmt: skip
    assert VehicleSnapshot.from_json(stored) == vehicle
    assert [(e.logical_address, e.in_bootloader) for e in vehicle.ecu_states()] == [
        (0x12, True),
        (0x40, False),
    ]


def test_no_state_is_written_as_a_string_outside_the_state_owner() -> None:
    """The runner, services and routes name states only through the enums."""
    import re
    from pathlib import Path

    import programming

    source = Path(programming.__file__).parent
    names = "|".join({*SessionState, *JobState})
    literal = re.compile(rf"""["']({names})["']""")
    found = [
        f"{path.relative_to(source)}:{number}: {line.strip()}"
        for path in sorted(source.rglob("*.py"))
        if path != source / "domain" / "sessions.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if literal.search(line)
    ]
    assert found == []
