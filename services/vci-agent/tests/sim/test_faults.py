"""Fault specifications and which request a fault fires on."""

import pytest

from vehicle_sim.battery import NOMINAL_VOLTS, Battery
from vehicle_sim.faults import Fault, FaultInjector, FaultKind, fault_from_json, parse_fault
from vehicle_sim.ignition import Ignition


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


# The voltage fault: the vehicle's battery, not the transport.


def test_parse_voltage_with_block_and_seconds() -> None:
    fault = parse_fault("voltage,volts=11.8,block=20,seconds=30")
    assert (fault.kind, fault.volts, fault.block, fault.seconds) == (
        FaultKind.VOLTAGE,
        11.8,
        20,
        30.0,
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("voltage", "needs volts=V"),
        ("voltage,volts=-1", "needs volts=V"),
        ("voltage,volts=low", "must be a number"),
        ("drop,volts=11", "only a voltage fault takes volts"),
    ],
)
def test_malformed_voltage_spec_is_refused(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault(spec)


def test_a_voltage_fault_sets_the_battery_for_its_seconds_and_is_no_transport_fault() -> None:
    now = [100.0]
    battery = Battery(clock=lambda: now[0])
    injector = FaultInjector(
        [parse_fault("voltage,volts=11.6,block=2,seconds=10")], battery=battery
    )

    assert injector.check(0x12, b"\x34\x00") is None
    assert injector.check(0x12, b"\x36\x01") is None
    assert battery.volts == NOMINAL_VOLTS
    assert injector.check(0x12, b"\x36\x02") is None  # fired, but the request goes through
    assert injector.faults[0].fired
    assert battery.volts == 11.6
    now[0] += 9.9
    assert battery.volts == 11.6
    now[0] += 0.1
    assert battery.volts == NOMINAL_VOLTS


def test_a_voltage_fault_and_a_transport_fault_fire_on_the_same_request() -> None:
    battery = Battery()
    injector = FaultInjector(
        [parse_fault("voltage,volts=9.5"), parse_fault("power-loss,ecu=0x12")], battery=battery
    )

    fired = injector.check(0x12, b"\x22\xf1\x89")

    assert fired is not None and fired.kind is FaultKind.POWER_LOSS
    assert battery.volts == 9.5


# The ignition-off fault: the vehicle's ignition, which the DoIP entity reports as power mode.


def test_an_ignition_off_fault_without_a_request_filter_holds_from_the_start() -> None:
    now = [100.0]
    ignition = Ignition(clock=lambda: now[0])

    FaultInjector([parse_fault("ignition-off,seconds=30")], ignition=ignition)

    assert not ignition.on
    now[0] += 30
    assert ignition.on


def test_an_ignition_off_fault_on_a_service_switches_off_there_for_good() -> None:
    ignition = Ignition()
    injector = FaultInjector([parse_fault("ignition-off,service=0x31")], ignition=ignition)

    assert injector.check(0x12, b"\x22\xf1\x89") is None
    assert ignition.on
    assert injector.check(0x12, b"\x31\x01\xff\x00") is None  # the request goes through
    assert not ignition.on


def test_ignition_off_takes_no_volts() -> None:
    with pytest.raises(ValueError, match="only a voltage fault takes volts"):
        parse_fault("ignition-off,volts=12")
