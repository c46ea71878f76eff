"""ECU storage: the flash region and the persisted ECU state, in memory or in a state directory.

On disk, per ECU (``<state_dir>/ecu_<address>/``): ``flash.bin`` (the region, written in place)
and ``state.json`` (installed version, "in bootloader", fingerprint, erase/download progress).
"""

import json
import os
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["EcuStorage", "FileStorage", "InMemoryStorage", "PersistentState"]

ERASED_BYTE = 0xFF


@dataclass(slots=True)
class PersistentState:
    """What survives a power cycle. Offsets are relative to the region start, in bytes."""

    version: str
    in_bootloader: bool = False
    fingerprint_hex: str = "00" * 10
    programming_date_hex: str = "000000"
    erased: bool = False
    written_start: int = 0
    written_end: int = 0
    crc_ok: bool = False
    dependencies_ok: bool = False


class EcuStorage(Protocol):
    """The flash region plus persisted state of one ECU."""

    size: int

    def write(self, offset: int, data: bytes | memoryview) -> None: ...

    def read(self, offset: int, length: int) -> bytes: ...

    def crc32(self, offset: int, length: int) -> int: ...

    def erase(self) -> None: ...

    def load_state(self) -> PersistentState | None: ...

    def save_state(self, state: PersistentState) -> None: ...

    def close(self) -> None: ...


class InMemoryStorage:
    """Volatile storage for unit tests: a bytearray and the last saved state."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._memory = bytearray([ERASED_BYTE]) * size
        self._state: PersistentState | None = None

    def write(self, offset: int, data: bytes | memoryview) -> None:
        self._memory[offset : offset + len(data)] = data

    def read(self, offset: int, length: int) -> bytes:
        return bytes(self._memory[offset : offset + length])

    def crc32(self, offset: int, length: int) -> int:
        return zlib.crc32(memoryview(self._memory)[offset : offset + length])

    def erase(self) -> None:
        self._memory[:] = bytes([ERASED_BYTE]) * self.size

    def load_state(self) -> PersistentState | None:
        return None if self._state is None else PersistentState(**asdict(self._state))

    def save_state(self, state: PersistentState) -> None:
        self._state = PersistentState(**asdict(state))

    def close(self) -> None:
        pass


class FileStorage:
    """Storage in a directory: the region file is written in place (pwrite), the state as JSON."""

    _CHUNK = 1 << 20

    def __init__(self, directory: Path, *, size: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.size = size
        self._state_path = directory / "state.json"
        flash = directory / "flash.bin"
        fresh = not flash.exists()
        self._fd = os.open(flash, os.O_RDWR | os.O_CREAT, 0o600)
        if fresh or os.fstat(self._fd).st_size != size:
            self.erase()

    def write(self, offset: int, data: bytes | memoryview) -> None:
        os.pwrite(self._fd, data, offset)

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self._fd, length, offset)

    def crc32(self, offset: int, length: int) -> int:
        crc = 0
        end = offset + length
        while offset < end:
            chunk = os.pread(self._fd, min(self._CHUNK, end - offset), offset)
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            offset += len(chunk)
        return crc

    def erase(self) -> None:
        os.ftruncate(self._fd, self.size)
        block = bytes([ERASED_BYTE]) * self._CHUNK
        for offset in range(0, self.size, self._CHUNK):
            os.pwrite(self._fd, block[: min(self._CHUNK, self.size - offset)], offset)

    def load_state(self) -> PersistentState | None:
        try:
            raw = json.loads(self._state_path.read_text(encoding="utf-8"))
            return PersistentState(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def save_state(self, state: PersistentState) -> None:
        # Write then rename, so a crash never leaves a half-written state file.
        tmp = self._state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(state)), encoding="utf-8")
        os.replace(tmp, self._state_path)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
