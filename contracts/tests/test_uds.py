import pytest

from aos_contracts import uds


def test_the_flash_sequence_numbers() -> None:
    assert (uds.ROUTINE_ERASE_MEMORY, uds.ROUTINE_CHECK_MEMORY) == (0xFF00, 0x0202)
    assert uds.ROUTINE_CHECK_DEPENDENCIES == 0xFF01
    assert (uds.DID_VIN, uds.DID_SOFTWARE_VERSION, uds.DID_BATTERY_VOLTAGE) == (
        0xF190,
        0xF189,
        0x0120,
    )


def test_battery_volts_are_millivolts_big_endian() -> None:
    assert uds.encode_battery_volts(12.6) == b"\x31\x38"
    assert uds.decode_battery_volts(b"\x31\x38") == 12.6


def test_battery_volts_saturate_to_sixteen_bits() -> None:
    assert uds.encode_battery_volts(70.0) == b"\xff\xff"
    assert uds.encode_battery_volts(-1.0) == b"\x00\x00"


def test_battery_volts_of_the_wrong_length_are_rejected() -> None:
    with pytest.raises(ValueError, match="2 bytes"):
        uds.decode_battery_volts(b"\x31")
