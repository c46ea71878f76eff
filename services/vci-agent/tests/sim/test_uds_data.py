"""Exact bytes for 0x22 read and 0x2E write data by identifier."""

from vehicle_sim.config import demo_vehicle
from vehicle_sim.uds import EcuServer
from vehicle_sim.vehicle import SimulatedVehicle


def test_read_vin(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\xf1\x90").response == b"\x62\xf1\x90WBA5F3103MFX12345"


def test_read_application_software_version(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\xf1\x89").response == b"\x62\xf1\x891.0.0"


def test_read_two_dids_in_one_request(ecu: EcuServer) -> None:
    response = ecu.handle(b"\x22\xf1\x89\xf1\x8c").response
    assert response == b"\x62\xf1\x891.0.0\xf1\x8cSIM0012000001"


def test_read_supplier_version(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\xf1\x95").response == b"\x62\xf1\x95DME_B48-SUP-1.0.0"


def test_read_fingerprint_and_date_default_to_zero(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\xf1\x98").response == b"\x62\xf1\x98" + bytes(10)
    assert ecu.handle(b"\x22\xf1\x99").response == b"\x62\xf1\x99\x00\x00\x00"


def test_read_unknown_did_is_0x31(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\x12\x34").response == b"\x7f\x22\x31"


def test_read_with_odd_length_is_0x13(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\xf1\x90\xf1").response == b"\x7f\x22\x13"


def test_write_fingerprint_when_unlocked_in_programming(unlocked: EcuServer) -> None:
    request = b"\x2e\xf1\x98" + b"WS-0000042"
    assert unlocked.handle(request).response == b"\x6e\xf1\x98"
    assert unlocked.handle(b"\x22\xf1\x98").response == b"\x62\xf1\x98WS-0000042"


def test_write_programming_date_bcd(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x2e\xf1\x99\x26\x11\x21").response == b"\x6e\xf1\x99"
    assert unlocked.handle(b"\x22\xf1\x99").response == b"\x62\xf1\x99\x26\x11\x21"


def test_write_programming_date_not_bcd_is_0x31(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x2e\xf1\x99\x26\x1a\x21").response == b"\x7f\x2e\x31"


def test_write_fingerprint_of_wrong_length_is_0x13(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x2e\xf1\x98\x01\x02").response == b"\x7f\x2e\x13"


def test_write_in_extended_session_is_0x7f(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(b"\x2e\xf1\x98" + bytes(10)).response == b"\x7f\x2e\x7f"


def test_write_locked_is_0x33(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    ecu.handle(b"\x10\x02")
    assert ecu.handle(b"\x2e\xf1\x98" + bytes(10)).response == b"\x7f\x2e\x33"


def test_write_of_read_only_did_is_0x31(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x2e\xf1\x90" + b"X" * 17).response == b"\x7f\x2e\x31"


def test_battery_voltage_reads_in_millivolts_in_every_session(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x22\x01\x20").response == b"\x62\x01\x20\x32\x00"  # 12.800 V
    ecu.battery.set(11.62)
    ecu.handle(b"\x10\x03")
    ecu.handle(b"\x10\x02")
    assert ecu.handle(b"\x22\x01\x20").response == b"\x62\x01\x20\x2d\x64"  # 11.620 V


def test_the_ecus_of_a_vehicle_share_its_battery() -> None:
    vehicle = SimulatedVehicle(demo_vehicle())
    vehicle.battery.set(11.9)
    answers = {ecu.address: ecu.handle(b"\x22\x01\x20").response for ecu in vehicle}
    vehicle.close()

    assert len(answers) > 1
    assert set(answers.values()) == {b"\x62\x01\x20" + (11900).to_bytes(2, "big")}
