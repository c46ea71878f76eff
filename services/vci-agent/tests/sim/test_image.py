"""AOSIMG1 header layout and the deterministic demo images."""

from vehicle_sim.image import HEADER_SIZE, build_image, demo_image, parse_header


def test_header_layout_is_magic_type_version_length_and_zero_padding() -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=b"\xaa\xbb")
    assert image[:8] == b"AOSIMG1\x00"
    assert image[8:32] == b"DME_B48" + bytes(17)
    assert image[32:48] == b"1.1.0" + bytes(11)
    assert image[48:52] == b"\x00\x00\x00\x02"
    assert image[52:64] == bytes(12)
    assert image[64:] == b"\xaa\xbb"


def test_parse_header_round_trips() -> None:
    header = parse_header(build_image(ecu_type="HU_MGU", version="5.0.2", payload=bytes(10)))
    assert header is not None
    assert (header.ecu_type, header.version, header.payload_length) == ("HU_MGU", "5.0.2", 10)


def test_parse_header_rejects_wrong_magic() -> None:
    assert parse_header(b"NOTANIMG" + bytes(56)) is None


def test_demo_image_is_deterministic_and_sized() -> None:
    first = demo_image(ecu_type="DME_B48", version="1.1.0", payload_size=1000)
    assert first == demo_image(ecu_type="DME_B48", version="1.1.0", payload_size=1000)
    assert len(first) == HEADER_SIZE + 1000
    assert first != demo_image(ecu_type="DME_B48", version="1.1.1", payload_size=1000)
