"""Exact bytes for 0x27 security access (levels 0x11/0x12 and 0x01/0x02, AOS-DEMO-1)."""

from collections.abc import Callable
from dataclasses import replace

from vehicle_sim.config import EcuConfig
from vehicle_sim.storage import InMemoryStorage
from vehicle_sim.uds import EcuServer


def _programming(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    ecu.handle(b"\x10\x02")


def test_request_seed_returns_the_seed(ecu: EcuServer) -> None:
    _programming(ecu)
    assert ecu.handle(b"\x27\x11").response == b"\x67\x11\x11\x22\x33\x44"


def test_correct_key_unlocks(ecu: EcuServer) -> None:
    _programming(ecu)
    ecu.handle(b"\x27\x11")
    assert ecu.handle(b"\x27\x12\x71\x5f\xda\xbe").response == b"\x67\x12"
    assert ecu.unlocked


def test_seed_is_all_zero_when_already_unlocked(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x27\x11").response == b"\x67\x11\x00\x00\x00\x00"


def test_wrong_key_is_0x35(ecu: EcuServer) -> None:
    _programming(ecu)
    ecu.handle(b"\x27\x11")
    assert ecu.handle(b"\x27\x12\x00\x00\x00\x01").response == b"\x7f\x27\x35"
    assert not ecu.unlocked


def test_key_without_seed_is_0x24(ecu: EcuServer) -> None:
    _programming(ecu)
    assert ecu.handle(b"\x27\x12\x71\x5f\xda\xbe").response == b"\x7f\x27\x24"


def test_seed_is_used_for_one_key_only(ecu: EcuServer) -> None:
    _programming(ecu)
    ecu.handle(b"\x27\x11")
    ecu.handle(b"\x27\x12\x00\x00\x00\x01")
    assert ecu.handle(b"\x27\x12\x71\x5f\xda\xbe").response == b"\x7f\x27\x24"


def test_third_wrong_key_is_0x36_then_seed_is_0x37_for_the_delay(ecu: EcuServer, clock) -> None:
    _programming(ecu)
    answers = []
    for _ in range(3):
        ecu.handle(b"\x27\x11")
        answers.append(ecu.handle(b"\x27\x12\x00\x00\x00\x01").response)
    assert answers == [b"\x7f\x27\x35", b"\x7f\x27\x35", b"\x7f\x27\x36"]
    assert ecu.handle(b"\x27\x11").response == b"\x7f\x27\x37"
    # The tester keeps the session alive through the 10 s delay (S3 is 5 s).
    for _ in range(3):
        clock.now += 3.3
        ecu.handle(b"\x3e\x80")
    assert ecu.handle(b"\x27\x11").response == b"\x7f\x27\x37"
    clock.now += 0.2
    assert ecu.handle(b"\x27\x11").response == b"\x67\x11\x11\x22\x33\x44"


def test_key_of_wrong_length_is_0x13(ecu: EcuServer) -> None:
    _programming(ecu)
    ecu.handle(b"\x27\x11")
    assert ecu.handle(b"\x27\x12\x71\x5f\xda").response == b"\x7f\x27\x13"


def test_programming_level_in_extended_session_is_0x7e(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x27\x11").response == b"\x7f\x27\x7e"


def test_extended_level_unlocks_in_extended_session(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x27\x01").response == b"\x67\x01\x11\x22\x33\x44"
    assert ecu.handle(b"\x27\x02\xf7\xd5\x8c\xaa").response == b"\x67\x02"


def test_unknown_level_is_0x12(ecu: EcuServer) -> None:
    _programming(ecu)
    assert ecu.handle(b"\x27\x05").response == b"\x7f\x27\x12"


def test_security_access_in_default_session_is_0x7f(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x27\x11").response == b"\x7f\x27\x7f"


def test_an_ecu_of_the_second_demo_algorithm_takes_its_key_and_refuses_aos_demo_1(
    dme_config: EcuConfig, clock: Callable[[], float]
) -> None:
    ecu = EcuServer(
        replace(dme_config, security_algorithm="AOS-DEMO-2"),
        vin="WBA5F3103MFX12345",
        storage=InMemoryStorage(dme_config.region_size),
        clock=clock,
        seed_source=lambda: bytes.fromhex("11223344"),
    )
    _programming(ecu)
    ecu.handle(b"\x27\x11")
    # The AOS-DEMO-1 key of this seed is refused ...
    assert ecu.handle(b"\x27\x12\x71\x5f\xda\xbe").response == b"\x7f\x27\x35"
    ecu.handle(b"\x27\x11")
    # ... the AOS-DEMO-2 one, HMAC-SHA256(secret, 11 11223344)[:4], unlocks.
    assert ecu.handle(b"\x27\x12\x44\xd6\x31\x65").response == b"\x67\x12"
    assert ecu.unlocked
