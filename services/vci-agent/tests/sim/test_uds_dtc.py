"""Service 0x19 ReadDTCInformation, as exact bytes (the DME's demo DTCs: P0300 status 0x2F,
P0171 status 0x28)."""

import json
from pathlib import Path

import pytest

from vehicle_sim.config import ConfigError, load_config
from vehicle_sim.uds import EcuServer


def test_number_of_confirmed_dtcs(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x19\x01\x08").response == b"\x59\x01\xff\x01\x00\x02"


def test_number_of_dtcs_failing_now(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x19\x01\x01").response == b"\x59\x01\xff\x01\x00\x01"


def test_dtcs_by_status_mask_lists_each_matching_dtc_with_its_status(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x19\x02\x08").response == (
        b"\x59\x02\xff" + b"\x03\x00\x00\x2f" + b"\x01\x71\x00\x28"
    )
    assert ecu.handle(b"\x19\x02\x01").response == b"\x59\x02\xff\x03\x00\x00\x2f"
    assert ecu.handle(b"\x19\x02\x40").response == b"\x59\x02\xff"


def test_supported_dtcs_are_all_of_them(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x19\x0a").response == b"\x59\x0a\xff\x03\x00\x00\x2f\x01\x71\x00\x28"


@pytest.mark.parametrize(
    ("request_", "response"),
    [
        (b"\x19", b"\x7f\x19\x13"),
        (b"\x19\x02", b"\x7f\x19\x13"),
        (b"\x19\x02\x08\x00", b"\x7f\x19\x13"),
        (b"\x19\x0a\x00", b"\x7f\x19\x13"),
        (b"\x19\x04\x03\x00\x00\x01", b"\x7f\x19\x12"),
    ],
)
def test_malformed_or_unsupported_requests_get_nrcs(
    ecu: EcuServer, request_: bytes, response: bytes
) -> None:
    assert ecu.handle(request_).response == response


def test_a_suppressed_positive_answer_is_not_sent(ecu: EcuServer) -> None:
    assert ecu.handle(b"\x19\x81\x08").response is None


def test_dtcs_come_from_the_json_config(tmp_path: Path) -> None:
    ecu = {
        "logical_address": "0x12",
        "ecu_type": "DME_B48",
        "version": "1.0.0",
        "region_address": "0x80000",
        "region_size": "0x1000",
        "dtcs": [{"dtc": "0xC07300", "status": "0x09"}, {"dtc": 0x123456}],
    }
    path = tmp_path / "vehicle.json"
    path.write_text(json.dumps({"ecus": [ecu]}))
    vehicle, _ = load_config(path)
    assert vehicle.ecus[0].dtcs == ((0xC07300, 0x09), (0x123456, 0x08))


def test_a_dtc_of_more_than_3_bytes_is_a_config_error(tmp_path: Path) -> None:
    ecu = {
        "logical_address": "0x12",
        "ecu_type": "DME_B48",
        "version": "1.0.0",
        "region_address": "0x80000",
        "region_size": "0x1000",
        "dtcs": [{"dtc": "0x1000000"}],
    }
    path = tmp_path / "vehicle.json"
    path.write_text(json.dumps({"ecus": [ecu]}))
    with pytest.raises(ConfigError, match="3 bytes"):
        load_config(path)
