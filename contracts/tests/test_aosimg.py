import pytest

from aos_contracts.aosimg import (
    HEADER_SIZE,
    MAGIC,
    ImageHeader,
    InvalidImageError,
    build_image,
    parse_header,
    parse_image,
)


def test_build_image_lays_out_the_header_exactly() -> None:
    image = build_image("DME_B48", "1.1.0", b"\xaa\xbb")

    assert image == (
        b"AOSIMG1\x00"
        + b"DME_B48" + bytes(17)
        + b"1.1.0" + bytes(11)
        + b"\x00\x00\x00\x02"
        + bytes(12)
        + b"\xaa\xbb"
    )  # fmt: skip


def test_header_round_trips_through_pack_and_parse() -> None:
    header = ImageHeader(ecu_type="HU_MGU", version="5.0.1", payload_length=100)

    packed = header.pack()

    assert len(packed) == HEADER_SIZE
    assert packed.startswith(MAGIC)
    assert parse_header(packed) == header
    assert parse_image(packed + bytes(100)) == header
    assert header.image_size == HEADER_SIZE + 100


def test_fields_of_the_maximum_length_round_trip() -> None:
    image = build_image("T" * 24, "9" * 16, b"")

    assert parse_image(image) == ImageHeader("T" * 24, "9" * 16, 0)


def test_parse_header_reads_the_header_of_a_longer_region() -> None:
    region = build_image("BDC_G20", "2.3.0", bytes(10)) + b"\xff" * 100

    assert parse_header(region).payload_length == 10


def test_parse_header_rejects_bad_magic() -> None:
    with pytest.raises(InvalidImageError, match="magic"):
        parse_header(b"XXXXXXXX" + build_image("DME_B48", "1.1.0", b"")[8:])


def test_parse_header_rejects_a_short_header() -> None:
    with pytest.raises(InvalidImageError, match="shorter"):
        parse_header(MAGIC)


def test_parse_header_rejects_non_zero_reserved_bytes() -> None:
    image = bytearray(build_image("DME_B48", "1.1.0", b""))
    image[63] = 1

    with pytest.raises(InvalidImageError, match="reserved"):
        parse_header(image)


def test_parse_header_rejects_non_ascii_fields() -> None:
    image = bytearray(build_image("DME_B48", "1.1.0", b""))
    image[8] = 0xC3

    with pytest.raises(InvalidImageError, match="ASCII"):
        parse_header(image)


def test_parse_image_rejects_a_length_that_differs_from_the_image() -> None:
    with pytest.raises(InvalidImageError, match="header says 74 bytes, the image has 79"):
        parse_image(build_image("DME_B48", "1.1.0", bytes(10)) + b"extra")


@pytest.mark.parametrize(
    ("ecu_type", "version"), [("T" * 25, "1.0.0"), ("DME_B48", "1" * 17), ("DMÉ", "1.0.0")]
)
def test_build_image_rejects_fields_that_do_not_fit(ecu_type: str, version: str) -> None:
    with pytest.raises(InvalidImageError):
        build_image(ecu_type, version, b"")
