"""Exact bytes for 0x31 routines FF00 erase, 0202 check memory and FF01 dependencies."""

import zlib

from vehicle_sim.image import build_image
from vehicle_sim.uds import EcuServer

ERASE = b"\x31\x01\xff\x00\x44\x00\x08\x00\x00\x00\x00\x40\x00"
DOWNLOAD = b"\x34\x00\x44\x00\x08\x00\x00"


def _download(ecu: EcuServer, image: bytes) -> None:
    assert ecu.handle(DOWNLOAD + len(image).to_bytes(4, "big")).response == b"\x74\x20\x01\x02"
    for index, offset in enumerate(range(0, len(image), 0x100)):
        bsc = (index + 1) & 0xFF
        request = bytes((0x36, bsc)) + image[offset : offset + 0x100]
        assert ecu.handle(request).response == bytes((0x76, bsc))
    assert ecu.handle(b"\x37").response == b"\x77"


def _check_memory(ecu: EcuServer, crc: int) -> bytes | None:
    return ecu.handle(b"\x31\x01\x02\x02" + crc.to_bytes(4, "big")).response


def test_erase_answers_pending_then_positive(unlocked: EcuServer) -> None:
    reply = unlocked.handle(ERASE)
    assert reply.response == b"\x71\x01\xff\x00\x00"
    assert reply.pending_s > 0
    assert unlocked.persistent.in_bootloader
    assert unlocked.storage.read(0, 16) == b"\xff" * 16


def test_erase_outside_the_region_is_0x31(unlocked: EcuServer) -> None:
    request = b"\x31\x01\xff\x00\x44\x00\x07\x00\x00\x00\x00\x40\x00"
    assert unlocked.handle(request).response == b"\x7f\x31\x31"


def test_erase_with_other_alfi_is_0x31(unlocked: EcuServer) -> None:
    request = b"\x31\x01\xff\x00\x33\x08\x00\x00\x00\x40\x00"
    assert unlocked.handle(request).response == b"\x7f\x31\x31"


def test_erase_with_short_parameters_is_0x13(unlocked: EcuServer) -> None:
    assert unlocked.handle(ERASE[:-1]).response == b"\x7f\x31\x13"


def test_erase_while_locked_is_0x33(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    ecu.handle(b"\x10\x02")
    assert ecu.handle(ERASE).response == b"\x7f\x31\x33"


def test_routine_in_extended_session_is_0x7f(ecu: EcuServer) -> None:
    ecu.handle(b"\x10\x03")
    assert ecu.handle(ERASE).response == b"\x7f\x31\x7f"


def test_unknown_routine_is_0x31(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x31\x01\x12\x34").response == b"\x7f\x31\x31"


def test_stop_routine_is_0x12(unlocked: EcuServer) -> None:
    assert unlocked.handle(b"\x31\x02\xff\x00").response == b"\x7f\x31\x12"


def test_check_memory_before_any_download_is_0x24(erased: EcuServer) -> None:
    assert _check_memory(erased, 0) == b"\x7f\x31\x24"


def test_check_memory_with_correct_crc_is_0x00(erased: EcuServer) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(range(256)) * 3)
    _download(erased, image)
    assert _check_memory(erased, zlib.crc32(image)) == b"\x71\x01\x02\x02\x00"


def test_check_memory_with_wrong_crc_is_0x01(erased: EcuServer) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(500))
    _download(erased, image)
    assert _check_memory(erased, zlib.crc32(image) ^ 1) == b"\x71\x01\x02\x02\x01"


def test_check_memory_with_short_crc_is_0x13(erased: EcuServer) -> None:
    assert erased.handle(b"\x31\x01\x02\x02\x00\x00").response == b"\x7f\x31\x13"


def test_dependencies_pass_for_matching_type_after_crc(erased: EcuServer) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(500))
    _download(erased, image)
    _check_memory(erased, zlib.crc32(image))
    assert erased.handle(b"\x31\x01\xff\x01").response == b"\x71\x01\xff\x01\x00"


def test_dependencies_fail_for_other_ecu_type(erased: EcuServer) -> None:
    image = build_image(ecu_type="HU_MGU", version="9.9.9", payload=bytes(500))
    _download(erased, image)
    _check_memory(erased, zlib.crc32(image))
    assert erased.handle(b"\x31\x01\xff\x01").response == b"\x71\x01\xff\x01\x01"


def test_dependencies_fail_without_passed_crc(erased: EcuServer) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(500))
    _download(erased, image)
    _check_memory(erased, 0)
    assert erased.handle(b"\x31\x01\xff\x01").response == b"\x71\x01\xff\x01\x01"


def test_reset_after_verified_image_runs_the_new_version(erased: EcuServer) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(700))
    _download(erased, image)
    _check_memory(erased, zlib.crc32(image))
    erased.handle(b"\x31\x01\xff\x01")
    assert erased.handle(b"\x11\x01").response == b"\x51\x01"
    assert erased.handle(b"\x22\xf1\x89").response == b"\x62\xf1\x891.1.0"
    assert not erased.persistent.in_bootloader


def test_reset_after_failed_check_stays_in_bootloader(erased: EcuServer) -> None:
    image = build_image(ecu_type="DME_B48", version="1.1.0", payload=bytes(700))
    _download(erased, image)
    _check_memory(erased, 0)
    erased.handle(b"\x31\x01\xff\x01")
    erased.handle(b"\x11\x01")
    assert erased.persistent.in_bootloader
    assert erased.persistent.version == "1.0.0"  # the new image did not become the application
    # ...and the bootloader reports no application version at all.
    assert erased.handle(b"\x22\xf1\x89").response == b"\x62\xf1\x89"
