"""File storage: the region written in place and the state file, across reopen."""

import zlib
from pathlib import Path

from vehicle_sim.storage import FileStorage, PersistentState


def test_new_region_file_is_erased_to_ff_at_region_size(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "ecu", size=8192)
    try:
        assert (tmp_path / "ecu" / "flash.bin").stat().st_size == 8192
        assert storage.read(8190, 2) == b"\xff\xff"
    finally:
        storage.close()


def test_writes_and_state_survive_reopen(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path, size=4096)
    storage.write(100, memoryview(b"\x01\x02\x03"))
    storage.save_state(PersistentState(version="1.1.0", in_bootloader=True, written_end=103))
    storage.close()
    reopened = FileStorage(tmp_path, size=4096)
    try:
        assert reopened.read(99, 5) == b"\xff\x01\x02\x03\xff"
        assert reopened.load_state() == PersistentState(
            version="1.1.0", in_bootloader=True, written_end=103
        )
    finally:
        reopened.close()


def test_crc32_covers_the_requested_range(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path, size=4096)
    try:
        storage.write(0, b"abc")
        assert storage.crc32(0, 3) == zlib.crc32(b"abc")
    finally:
        storage.close()


def test_corrupt_state_file_reads_as_no_state(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path, size=16)
    try:
        (tmp_path / "state.json").write_text("{broken", encoding="utf-8")
        assert storage.load_state() is None
    finally:
        storage.close()
