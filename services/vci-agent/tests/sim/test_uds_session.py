"""Exact bytes for 0x10 session control, 0x3E tester present, 0x28, 0x85 and 0x11 reset."""

from vehicle_sim.uds import EcuServer, Session


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
    assert ecu.handle(b"\x19\x02\xff").response == b"\x7f\x19\x11"


def test_empty_request_gets_no_response(ecu: EcuServer) -> None:
    assert ecu.handle(b"").response is None
