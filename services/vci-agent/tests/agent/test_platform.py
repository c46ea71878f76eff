"""The OS-specific calls of ``vci_agent.platform``, on both branches: the Windows ones run here
by passing ``platform="win32"``, with the OS refusals Windows makes emulated at ``os``."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import vci_agent
from vci_agent.credentials import load_credential, save_credential
from vci_agent.journal import Journal, JournalEntry
from vci_agent.pairing import DeviceCredential
from vci_agent.platform import WINDOWS_SIGBREAK, on_stop_signals, replace_file, stop_signals

WINDOWS = "win32"
LINUX = "linux"

CREDENTIAL = DeviceCredential(
    server="http://127.0.0.1:8080",
    api_prefix="/api/programming",
    agent_id="0b1f6c1e-6f4e-4a8e-9f55-2d2f1f0f3a11",
    credential="device-secret-7d1c",
    release_public_key="A" * 43 + "=",
)


def _entry() -> JournalEntry:
    return JournalEntry(
        job_id="job-1",
        ecu_logical_address=0x0012,
        image_path="cache/image.img",
        image_sha256="ab" * 32,
        image_size=1000,
        memory_address=0x80000,
    )


@pytest.fixture
def disk_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fsyncs (of a file or a directory) and renames made, in order; the calls still run."""
    calls: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append("fsync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        real_fsync(fd)

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        calls.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return calls


@pytest.fixture
def directories_cannot_be_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Windows: ``os.open`` of a directory fails with PermissionError."""
    real_open = os.open

    def open_(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int | None) -> int:
        if Path(path).is_dir():
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


@pytest.mark.usefixtures("directories_cannot_be_opened")
def test_journal_on_windows_fsyncs_the_file_then_replaces_without_a_directory_fsync(
    tmp_path: Path, disk_calls: list[str]
) -> None:
    journal = Journal(tmp_path, platform=WINDOWS)

    entry = journal.save(_entry())

    assert disk_calls == ["fsync file", "replace"]
    assert journal.load("job-1") == entry
    assert [path.name for path in tmp_path.iterdir()] == ["job-1.json"]


@pytest.mark.usefixtures("directories_cannot_be_opened")
def test_the_posix_journal_write_fails_where_directories_cannot_be_opened(
    tmp_path: Path,
) -> None:
    # What every journal write did on Windows before the platform was taken into account.
    with pytest.raises(PermissionError):
        Journal(tmp_path, platform=LINUX).save(_entry())


def test_journal_on_posix_fsyncs_the_directory_after_the_rename(
    tmp_path: Path, disk_calls: list[str]
) -> None:
    journal = Journal(tmp_path, platform=LINUX)

    entry = journal.save(_entry())

    assert disk_calls == ["fsync file", "replace", "fsync dir"]
    assert journal.load("job-1") == entry


@pytest.mark.usefixtures("directories_cannot_be_opened")
def test_credential_file_on_windows_is_written_without_os_fchmod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, disk_calls: list[str]
) -> None:
    # Python 3.11 on Windows has no os.fchmod.
    monkeypatch.delattr(os, "fchmod", raising=False)
    path = tmp_path / "config" / "credential.json"

    save_credential(path, CREDENTIAL, keystore=None, platform=WINDOWS)

    assert load_credential(path, keystore=None) == CREDENTIAL
    assert disk_calls == ["fsync file", "replace"]


def test_credential_file_on_posix_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "config" / "credential.json"

    save_credential(path, CREDENTIAL, keystore=None, platform=LINUX)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_credential(path, keystore=None) == CREDENTIAL


@pytest.mark.parametrize("platform", [WINDOWS, LINUX])
def test_a_write_that_fails_keeps_the_old_entry_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    journal = Journal(tmp_path, platform=platform)
    entry = journal.save(_entry())

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        journal.update(entry, acked_offset=4096)

    assert journal.load("job-1") == entry
    assert [path.name for path in tmp_path.iterdir()] == ["job-1.json"]


@pytest.fixture
def target_held_open(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """As on Windows while another handle has the target open: the first three renames fail
    with PermissionError. Returns the outcome of each try."""
    tries: list[str] = []
    real_replace = os.replace

    def replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if len(tries) < 3:
            tries.append("refused")
            raise PermissionError(13, "Access is denied", str(target))
        tries.append("replaced")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return tries


def test_replace_on_windows_tries_again_while_the_target_is_held_open(
    tmp_path: Path, target_held_open: list[str]
) -> None:
    (tmp_path / "new").write_text("new")
    (tmp_path / "target").write_text("old")

    replace_file(tmp_path / "new", tmp_path / "target", platform=WINDOWS)

    assert target_held_open == ["refused", "refused", "refused", "replaced"]
    assert (tmp_path / "target").read_text() == "new"


def test_a_journal_write_on_windows_outlasts_a_reader_holding_the_file(
    tmp_path: Path, target_held_open: list[str]
) -> None:
    journal = Journal(tmp_path, platform=WINDOWS)

    entry = journal.save(_entry())

    assert target_held_open[-1] == "replaced"
    assert journal.load("job-1") == entry
    assert [path.name for path in tmp_path.iterdir()] == ["job-1.json"]


def test_replace_on_posix_raises_the_first_refusal(
    tmp_path: Path, target_held_open: list[str]
) -> None:
    (tmp_path / "new").write_text("new")

    with pytest.raises(PermissionError):
        replace_file(tmp_path / "new", tmp_path / "target", platform=LINUX)
    assert target_held_open == ["refused"]


def test_stop_signals_are_ctrl_c_and_ctrl_break_on_windows_and_sigterm_on_posix() -> None:
    assert stop_signals(platform=WINDOWS) == (signal.SIGINT, WINDOWS_SIGBREAK)
    assert stop_signals(platform=LINUX) == (signal.SIGINT, signal.SIGTERM)


def _no_loop_signal_handlers(*args: object) -> None:
    raise NotImplementedError  # what every Windows event loop answers


@pytest.mark.parametrize("signum", stop_signals(platform=WINDOWS), ids=["ctrl-c", "ctrl-break"])
async def test_on_windows_a_stop_signal_sets_the_stop_event_through_signal_handlers(
    signum: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "add_signal_handler", _no_loop_signal_handlers)
    before = signal.getsignal(signum)
    stop = asyncio.Event()

    restore = on_stop_signals(loop, stop.set, platform=WINDOWS)
    try:
        signal.raise_signal(signum)
        async with asyncio.timeout(5):
            await stop.wait()
    finally:
        restore()

    assert stop.is_set()
    assert signal.getsignal(signum) == before


def _host_handler(signum: int, frame: object) -> None:
    """A handler of the host process (a server in the same process installs one)."""


async def test_on_posix_sigterm_sets_the_stop_event_through_the_loop() -> None:
    loop = asyncio.get_running_loop()
    # The host's own handler must be back afterwards: remove_signal_handler alone leaves SIG_DFL.
    outer = signal.signal(signal.SIGTERM, _host_handler)
    stop = asyncio.Event()
    try:
        restore = on_stop_signals(loop, stop.set, platform=LINUX)
        try:
            signal.raise_signal(signal.SIGTERM)
            async with asyncio.timeout(5):
                await stop.wait()
        finally:
            restore()

        assert stop.is_set()
        assert loop.remove_signal_handler(signal.SIGTERM) is False  # restore() removed it
        assert signal.getsignal(signal.SIGTERM) is _host_handler
    finally:
        signal.signal(signal.SIGTERM, outer)


async def test_on_posix_a_loop_without_signal_handlers_still_stops_on_sigterm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(loop, "add_signal_handler", _no_loop_signal_handlers)
    before = signal.getsignal(signal.SIGTERM)
    stop = asyncio.Event()

    restore = on_stop_signals(loop, stop.set, platform=LINUX)
    try:
        signal.raise_signal(signal.SIGTERM)
        async with asyncio.timeout(5):
            await stop.wait()
    finally:
        restore()

    assert stop.is_set()
    assert signal.getsignal(signal.SIGTERM) == before


_OS_SPECIFIC: dict[str, Callable[[str], bool]] = {
    "sys.platform": lambda line: "sys.platform" in line,
    "os.fsync": lambda line: "os.fsync(" in line,
    "os.replace": lambda line: "os.replace(" in line,
    "os.fchmod / os.chmod": lambda line: re.search(r"os\.f?chmod\(", line) is not None,
    "signal handlers": lambda line: "add_signal_handler" in line or "signal.signal(" in line,
    "platformdirs": lambda line: "platformdirs" in line,
    "Windows registry": lambda line: "winreg" in line,
    "loading a shared library": lambda line: re.search(r"\b(CDLL|WinDLL)\(", line) is not None,
}


def test_no_os_specific_call_is_made_outside_the_platform_module() -> None:
    package = Path(vci_agent.__file__).parent
    found = [
        f"{path.relative_to(package)}:{number}: {name}"
        for path in sorted(package.rglob("*.py"))
        if path.name != "platform.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for name, matches in _OS_SPECIFIC.items()
        if matches(line)
    ]

    assert found == []
