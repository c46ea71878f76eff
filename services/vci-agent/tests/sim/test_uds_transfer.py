"""Exact bytes for 0x34 request download, 0x36 transfer data and 0x37 transfer exit."""

import zlib
from dataclasses import replace

from vehicle_sim.image import build_image
from vehicle_sim.storage import InMemoryStorage
from vehicle_sim.uds import EcuServer

DOWNLOAD_4K = b"\x34\x00\x44\x00\x08\x00\x00\x00\x00\x10\x00"


def test_request_download_answers_max_block_length(erased: EcuServer) -> None:
    assert erased.handle(DOWNLOAD_4K).response == b"\x74\x20\x01\x02"


def test_request_download_with_64k_blocks_uses_three_length_bytes(
    dme_config, programming_key: bytes
) -> None:
    ecu = EcuServer(
        replace(dme_config, max_block_length=65536 + 2),
        vin="WBA5F3103MFX12345",
        storage=InMemoryStorage(dme_config.region_size),
        seed_source=lambda: bytes.fromhex("11223344"),
    )
    for request in (b"\x10\x03", b"\x10\x02", b"\x27\x11", b"\x27\x12" + programming_key):
        ecu.handle(request)
    ecu.handle(b"\x31\x01\xff\x00\x44\x00\x08\x00\x00\x00\x00\x40\x00")
    assert ecu.handle(DOWNLOAD_4K).response == b"\x74\x30\x01\x00\x02"


def test_request_download_before_erase_is_0x22(unlocked: EcuServer) -> None:
    assert unlocked.handle(DOWNLOAD_4K).response == b"\x7f\x34\x22"


def test_request_download_outside_region_is_0x31(erased: EcuServer) -> None:
    request = b"\x34\x00\x44\x00\x08\x3f\x00\x00\x00\x10\x00"
    assert erased.handle(request).response == b"\x7f\x34\x31"


def test_request_download_compressed_is_0x31(erased: EcuServer) -> None:
    assert erased.handle(b"\x34\x10" + DOWNLOAD_4K[2:]).response == b"\x7f\x34\x31"


def test_request_download_of_wrong_length_is_0x13(erased: EcuServer) -> None:
    assert erased.handle(DOWNLOAD_4K[:-1]).response == b"\x7f\x34\x13"


def test_request_download_locked_is_0x33(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    ecu.handle(b"\x10\x02")
    assert ecu.handle(DOWNLOAD_4K).response == b"\x7f\x34\x33"


def test_request_download_in_default_session_is_0x7f(ecu: EcuServer) -> None:
    assert ecu.handle(DOWNLOAD_4K).response == b"\x7f\x34\x7f"


def test_transfer_writes_the_block(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    assert erased.handle(b"\x36\x01\xde\xad\xbe\xef").response == b"\x76\x01"
    assert erased.storage.read(0, 4) == b"\xde\xad\xbe\xef"


def test_transfer_without_download_is_0x24(erased: EcuServer) -> None:
    assert erased.handle(b"\x36\x01\x00").response == b"\x7f\x36\x24"


def test_first_block_counter_must_be_1(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    assert erased.handle(b"\x36\x00\x00").response == b"\x7f\x36\x73"


def test_skipped_block_counter_is_0x73(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    erased.handle(b"\x36\x01\xaa")
    assert erased.handle(b"\x36\x03\xbb").response == b"\x7f\x36\x73"


def test_repeated_block_is_acknowledged_without_rewriting(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    erased.handle(b"\x36\x01\xaa\xaa")
    assert erased.handle(b"\x36\x01\xbb\xbb").response == b"\x76\x01"
    assert erased.storage.read(0, 4) == b"\xaa\xaa\xff\xff"
    assert erased.handle(b"\x36\x02\xcc").response == b"\x76\x02"
    assert erased.storage.read(0, 3) == b"\xaa\xaa\xcc"


def test_block_counter_wraps_from_ff_to_00(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    answers = [erased.handle(bytes((0x36, i & 0xFF, i & 0xFF))).response for i in range(1, 258)]
    assert answers[254] == b"\x76\xff"
    assert answers[255] == b"\x76\x00"
    assert answers[256] == b"\x76\x01"
    assert erased.storage.read(254, 3) == b"\xff\x00\x01"


def test_block_longer_than_max_is_0x13(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    assert erased.handle(b"\x36\x01" + bytes(0x101)).response == b"\x7f\x36\x13"


def test_empty_block_is_0x13(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    assert erased.handle(b"\x36\x01").response == b"\x7f\x36\x13"


def test_data_beyond_requested_size_is_0x71(erased: EcuServer) -> None:
    erased.handle(b"\x34\x00\x44\x00\x08\x00\x00\x00\x00\x00\x04")
    erased.handle(b"\x36\x01\x01\x02\x03")
    assert erased.handle(b"\x36\x02\x04\x05").response == b"\x7f\x36\x71"


def test_transfer_exit_answers_77(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    erased.handle(b"\x36\x01\x00")
    assert erased.handle(b"\x37").response == b"\x77"


def test_transfer_exit_without_download_is_0x24(erased: EcuServer) -> None:
    assert erased.handle(b"\x37").response == b"\x7f\x37\x24"


def test_transfer_after_exit_is_0x24(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    erased.handle(b"\x37")
    assert erased.handle(b"\x36\x01\x00").response == b"\x7f\x36\x24"


def test_resumed_download_at_acked_offset_passes_check_memory(
    erased: EcuServer, programming_key: bytes
) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(range(200)) * 4)
    size = len(image)
    erased.handle(b"\x34\x00\x44\x00\x08\x00\x00" + size.to_bytes(4, "big"))
    erased.handle(b"\x36\x01" + image[:0x100])
    erased.power_loss()
    for request in (b"\x10\x03", b"\x10\x02", b"\x27\x11", b"\x27\x12" + programming_key):
        erased.handle(request)
    resume = (
        b"\x34\x00\x44" + (0x80000 + 0x100).to_bytes(4, "big") + (size - 0x100).to_bytes(4, "big")
    )
    assert erased.handle(resume).response == b"\x74\x20\x01\x02"
    for index, offset in enumerate(range(0x100, size, 0x100)):
        assert erased.handle(bytes((0x36, index + 1)) + image[offset : offset + 0x100]).response
    erased.handle(b"\x37")
    crc = zlib.crc32(image).to_bytes(4, "big")
    assert erased.handle(b"\x31\x01\x02\x02" + crc).response == b"\x71\x01\x02\x02\x00"


def test_power_loss_mid_transfer_keeps_bootloader_and_partial_memory(erased: EcuServer) -> None:
    erased.handle(DOWNLOAD_4K)
    erased.handle(b"\x36\x01\x11\x11")
    erased.power_loss(memoryview(b"\x22\x22\x22\x22"))
    assert erased.persistent.in_bootloader
    assert erased.volatile.download is None
    assert not erased.unlocked
    assert erased.storage.read(0, 6) == b"\x11\x11\x22\x22\xff\xff"
