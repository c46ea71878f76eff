"""Fault specifications and which request a fault fires on."""

import pytest

from vehicle_sim.faults import Fault, FaultInjector, FaultKind, fault_from_json, parse_fault


def test_parse_power_loss_at_block() -> None:
    fault = parse_fault("power-loss,ecu=0x12,block=50")
    assert (fault.kind, fault.ecu, fault.block) == (FaultKind.POWER_LOSS, 0x12, 50)


def test_parse_nrc_on_service_with_code() -> None:
    fault = parse_fault("nrc, service=0x31, nrc=0x22")
    assert (fault.kind, fault.service, fault.nrc) == (FaultKind.NRC, 0x31, 0x22)


def test_parse_delay_seconds() -> None:
    assert parse_fault("delay,seconds=2.5").seconds == 2.5


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("explode", "kind must be one of"),
        ("drop,block", "key=value"),
        ("drop,color=red", "unknown fault field"),
        ("drop,block=x", "must be a number"),
        ("drop,block=0", "start at 1"),
        ("delay,seconds=soon", "must be a number"),
    ],
)
def test_malformed_spec_is_refused(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault(spec)


def test_json_fault_accepts_numbers_and_hex_strings() -> None:
    fault = fault_from_json({"kind": "nrc", "ecu": "0x40", "service": 0x34, "nrc": 0x70})
    assert (fault.ecu, fault.service, fault.nrc) == (0x40, 0x34, 0x70)


def test_block_fault_fires_on_nth_transfer_after_request_download() -> None:
    injector = FaultInjector([Fault(kind=FaultKind.DROP, block=3)])
    injector.check(0x12, b"\x34\x00\x44")
    fired = [injector.check(0x12, bytes((0x36, i))) for i in (1, 2, 3, 4)]
    assert [f is not None for f in fired] == [False, False, True, False]


def test_request_download_restarts_the_block_count() -> None:
    injector = FaultInjector([Fault(kind=FaultKind.DROP, block=2)])
    injector.check(0x12, b"\x34")
    injector.check(0x12, b"\x36\x01")
    injector.check(0x12, b"\x34")
    assert injector.check(0x12, b"\x36\x01") is None
    assert injector.check(0x12, b"\x36\x02") is not None


def test_fault_fires_once() -> None:
    injector = FaultInjector([Fault(kind=FaultKind.NRC, service=0x22)])
    assert injector.check(0x12, b"\x22\xf1\x90") is not None
    assert injector.check(0x12, b"\x22\xf1\x90") is None


def test_fault_for_one_ecu_ignores_the_others() -> None:
    injector = FaultInjector([Fault(kind=FaultKind.LINK_LOSS, ecu=0x40, service=0x22)])
    assert injector.check(0x12, b"\x22\xf1\x90") is None
    assert injector.check(0x40, b"\x22\xf1\x90") is not None
