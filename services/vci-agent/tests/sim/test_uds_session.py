"""Exact bytes for 0x10 session control, 0x3E tester present, 0x28, 0x85 and 0x11 reset."""

from vehicle_sim.uds import EcuServer, Session
from vehicle_sim.uds.server import S3_SERVER_S


def test_default_session_answers_timing_parameters(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x10\x01").response == b"\x50\x01\x00\x32\x01\xf4"


def test_extended_session_is_entered(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x10\x03").response == b"\x50\x03\x00\x32\x01\xf4"
    assert ecu.session is Session.EXTENDED


def test_programming_session_from_default_is_refused_with_0x22(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x10\x02").response == b"\x7f\x10\x22"
    assert ecu.session is Session.DEFAULT


def test_programming_session_from_extended_answers_pending_first(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    reply = ecu.handle(b"\x10\x02")
    assert reply.response == b"\x50\x02\x00\x32\x01\xf4"
    assert reply.pending_s > 0
    assert ecu.session is Session.PROGRAMMING


def test_unknown_session_is_0x12(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x10\x05").response == b"\x7f\x10\x12"


def test_session_request_with_extra_byte_is_0x13(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x10\x03\x00").response == b"\x7f\x10\x13"


def test_session_change_locks_security(unlocked: EcuServer) -> None:
    unlocked.handle(b"\x10\x03")
    assert not unlocked.unlocked


def test_suppressed_session_change_has_no_response(ecu: EcuServer) -> None:
    reply = ecu.handle(b"\x10\x83")
    assert reply.response is None
    assert ecu.session is Session.EXTENDED


def test_tester_present_answers_7e00(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x3e\x00").response == b"\x7e\x00"


def test_tester_present_with_suppress_bit_has_no_response(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x3e\x80").response is None


def test_tester_present_unknown_sub_function_is_0x12(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x3e\x01").response == b"\x7f\x3e\x12"


def test_communication_control_in_extended_session(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x28\x03\x01").response == b"\x68\x03"
    assert ecu.volatile.communication_control == 0x03


def test_communication_control_in_default_session_is_0x7f(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x28\x03\x01").response == b"\x7f\x28\x7f"


def test_communication_control_without_type_is_0x13(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x28\x03").response == b"\x7f\x28\x13"


def test_dtc_setting_off_and_on(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x85\x02").response == b"\xc5\x02"
    assert not ecu.volatile.dtc_setting_on
    assert ecu.handle(b"\x85\x01").response == b"\xc5\x01"
    assert ecu.volatile.dtc_setting_on


def test_dtc_setting_unknown_type_is_0x12(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x85\x03").response == b"\x7f\x85\x12"


def test_hard_reset_answers_then_returns_to_default_locked(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x11\x01").response == b"\x51\x01"
    assert unlocked.session is Session.DEFAULT
    assert not unlocked.unlocked


def test_reset_unknown_type_is_0x12(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x11\x05").response == b"\x7f\x11\x12"


def test_unknown_service_is_0x11(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x23\x12\x00\x10\x01").response == b"\x7f\x23\x11"


def test_empty_request_gets_no_response(ecu: EcuServer) -> None:
    assert ecu.handle(b"").response is None


# S3server (5 s): a non-default session without requests falls back to the default session.


def test_an_idle_programming_session_falls_back_to_default_after_s3_and_is_locked(
    unlocked: EcuServer, clock
) -> None:
    clock.now += S3_SERVER_S

    assert unlocked.handle(b"\x27\x12\x00\x00\x00\x00").response == b"\x7f\x27\x7f"
    assert unlocked.session is Session.DEFAULT
    assert not unlocked.unlocked
    assert unlocked.s3_fallbacks == 1


def test_a_request_just_inside_s3_keeps_the_session(unlocked: EcuServer, clock) -> None:
    clock.now += S3_SERVER_S - 0.1

    assert unlocked.handle(b"\x22\xf1\x89").response is not None
    assert unlocked.session is Session.PROGRAMMING
    assert unlocked.unlocked


def test_suppressed_tester_present_restarts_s3(unlocked: EcuServer, clock) -> None:
    for _ in range(4):  # 12 s in all, never 5 s without a request
        clock.now += 3.0
        assert unlocked.handle(b"\x3e\x80").response is None

    assert unlocked.session is Session.PROGRAMMING
    assert unlocked.unlocked
    clock.now += S3_SERVER_S
    assert unlocked.session is Session.DEFAULT


def test_s3_runs_from_the_end_of_a_pending_answer(unlocked: EcuServer, clock) -> None:
    erase = unlocked.handle(b"\x31\x01\xff\x00\x44\x00\x08\x00\x00\x00\x00\x40\x00")
    assert erase.pending_s > 0

    # The erase's answer comes pending_s later; S3 counts from then, not from the request.
    clock.now += erase.pending_s + S3_SERVER_S - 0.1
    assert unlocked.session is Session.PROGRAMMING
    clock.now += 0.1
    assert unlocked.session is Session.DEFAULT


def test_the_default_session_has_no_s3_timeout(ecu: EcuServer, clock) -> None:
    clock.now += 60

    assert ecu.session is Session.DEFAULT
    assert ecu.s3_fallbacks == 0
