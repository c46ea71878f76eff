"""The time an agent waits for its ECU moves the job's deadline out (services/runtime.py)."""

from programming.services.runtime import EcuWait


def test_waits_add_up_and_the_one_going_on_counts_until_now() -> None:
    wait = EcuWait()
    wait.report(waiting=False, at=10.0)
    wait.report(waiting=True, at=12.0)
    wait.report(waiting=True, at=14.0)
    wait.report(waiting=False, at=15.0)  # the ECU answered again: 3 s waited
    wait.report(waiting=True, at=20.0)
    wait.report(waiting=True, at=21.0)

    assert wait.waited(now=22.0, silence=60.0) == 3.0 + 2.0


def test_a_wait_the_agent_stopped_reporting_counts_only_until_the_silence_limit() -> None:
    wait = EcuWait()
    wait.report(waiting=True, at=100.0)
    wait.report(waiting=True, at=105.0)

    assert wait.waited(now=500.0, silence=30.0) == 35.0
