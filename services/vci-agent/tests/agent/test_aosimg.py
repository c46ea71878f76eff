import pytest

from vci_agent.aosimg import HEADER_SIZE, InvalidImageError, build, parse_header


def test_build_lays_out_the_header_exactly() -> None:
    image = build("DME_B48", "1.1.0", b"\xaa\xbb")

    assert image[:8] == b"AOSIMG1\x00"
    assert image[8:32] == b"DME_B48" + bytes(17)
    assert image[32:48] == b"1.1.0" + bytes(11)
    assert image[48:52] == b"\x00\x00\x00\x02"
    assert image[52:64] == bytes(12)
    assert image[HEADER_SIZE:] == b"\xaa\xbb"


def test_parse_header_reads_type_version_and_length() -> None:
    header = parse_header(build("HU_MGU", "5.0.1", bytes(100)))

    assert (header.ecu_type, header.version, header.payload_length) == ("HU_MGU", "5.0.1", 100)
    assert header.image_size == HEADER_SIZE + 100


def test_parse_header_refuses_bad_magic() -> None:
    image = b"XXXXXXXX" + build("DME_B48", "1.1.0", b"")[8:]

    with pytest.raises(InvalidImageError, match="magic"):
        parse_header(image)


def test_parse_header_refuses_a_length_that_differs_from_the_image() -> None:
    with pytest.raises(InvalidImageError, match="header says"):
        parse_header(build("DME_B48", "1.1.0", bytes(10)) + b"extra")


def test_parse_header_refuses_a_short_image() -> None:
    with pytest.raises(InvalidImageError, match="shorter"):
        parse_header(b"AOSIMG1\x00")
