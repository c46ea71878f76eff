"""Every call whose behaviour differs between Windows and POSIX, behind small functions.

``PLATFORM`` is read from ``sys.platform`` here and nowhere else in the agent. Each function
takes the platform as a keyword argument that defaults to it, so the tests run the Windows
branches on Linux by passing ``"win32"``. The agent's README ("OS-specific calls") lists each
call and how it is handled.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any, Final, Protocol

from platformdirs import user_config_dir, user_state_dir

__all__ = [
    "APP_NAME",
    "PASSTHRU_REGISTRY_KEYS",
    "PLATFORM",
    "WINDOWS_SIGBREAK",
    "PassThruRegistration",
    "RegistryReader",
    "aside_path",
    "default_config_dir",
    "default_state_dir",
    "flush_to_disk",
    "installed_passthru_devices",
    "is_windows",
    "load_library",
    "on_stop_signals",
    "remove_previous_executable",
    "replace_executable",
    "replace_file",
    "stop_signals",
    "sync_directory",
    "write_file_atomically",
]

APP_NAME: Final = "aos-vci-agent"
PLATFORM: Final = sys.platform
# signal.SIGBREAK (Ctrl-Break in a console) is named by the signal module only on Windows; its
# number is fixed by the Windows C runtime.
WINDOWS_SIGBREAK: Final = 21

_OWNER_READ_WRITE: Final = stat.S_IRUSR | stat.S_IWUSR
# How long a replace on Windows keeps trying while another handle holds the target open.
_WINDOWS_REPLACE_PATIENCE_S: Final = 2.0
# Where J2534-1 (04.04) devices register under HKEY_LOCAL_MACHINE, with the bits of their DLL:
# 64-bit Windows shows 32-bit programs' registrations under WOW6432Node.
PASSTHRU_REGISTRY_KEYS: Final = (
    ("SOFTWARE\\PassThruSupport.04.04", 64),
    ("SOFTWARE\\WOW6432Node\\PassThruSupport.04.04", 32),
)


def is_windows(platform: str = PLATFORM) -> bool:
    return platform == "win32"


def default_config_dir() -> Path:
    """The user's configuration folder (platformdirs picks it for the running OS):
    ``%LOCALAPPDATA%\\aos-vci-agent\\aos-vci-agent`` on Windows, ``~/.config/aos-vci-agent``
    on Linux, ``~/Library/Application Support/aos-vci-agent`` on macOS."""
    return Path(user_config_dir(APP_NAME))


def default_state_dir() -> Path:
    """The user's state folder (journal and image cache): the same folder as the
    configuration on Windows and macOS, ``~/.local/state/aos-vci-agent`` on Linux."""
    return Path(user_state_dir(APP_NAME))


def flush_to_disk(stream: IO[bytes] | IO[str]) -> None:
    """Push a file's written bytes to the disk. ``os.fsync`` of a file descriptor exists on
    every platform (on Windows it is the C runtime's ``_commit``)."""
    stream.flush()
    os.fsync(stream.fileno())


def sync_directory(directory: Path, *, platform: str = PLATFORM) -> None:
    """Make a rename inside ``directory`` durable.

    POSIX: fsync the directory, or a power cut may forget the rename. Windows: nothing; a
    directory cannot be opened for fsync there (``os.open`` refuses it), and NTFS journals the
    rename itself (``os.replace`` is ``MoveFileEx`` with ``MOVEFILE_REPLACE_EXISTING``)."""
    if is_windows(platform):
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(source: Path | str, target: Path, *, platform: str = PLATFORM) -> None:
    """Rename ``source`` over ``target`` atomically (``os.replace``).

    Windows refuses the rename (PermissionError) while any handle, opened without
    FILE_SHARE_DELETE, has the target open: Python's own reads (the link counting unsynced
    journal results while a flash writes) or a virus scanner or indexer looking at the new file.
    Such handles are short-lived, so the rename is tried again for up to 2 s, then the error is
    raised. POSIX renames over open files, so there the first error is raised."""
    if not is_windows(platform):
        os.replace(source, target)
        return
    deadline = time.monotonic() + _WINDOWS_REPLACE_PATIENCE_S
    pause = 0.005
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


def write_file_atomically(
    path: Path, data: bytes, *, owner_only: bool = False, platform: str = PLATFORM
) -> None:
    """Replace ``path`` with ``data`` so that a power cut leaves the old or the new content.

    The bytes go to a temporary file in the same folder, are flushed and fsynced, and the file
    is renamed over ``path`` (see ``replace_file``); on POSIX the folder is then fsynced (see
    ``sync_directory``).
    ``owner_only``: on POSIX the file gets mode 0600 before any byte is written (``mkstemp``
    creates it so already; the chmod states it). Windows has no mode bits: the file inherits
    the folder's ACL, and the user's profile folders are readable by that user (and SYSTEM and
    administrators) only. Raises ``OSError``; the temporary file never outlives a failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            if owner_only and not is_windows(platform):
                os.chmod(temp, _OWNER_READ_WRITE)
            out.write(data)
            flush_to_disk(out)
        replace_file(temp, path, platform=platform)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    sync_directory(path.parent, platform=platform)


def stop_signals(*, platform: str = PLATFORM) -> tuple[int, ...]:
    """The signals that ask the agent to stop: Ctrl-C and Ctrl-Break in a Windows console;
    Ctrl-C and SIGTERM (service managers, ``kill``) on POSIX."""
    if is_windows(platform):
        return (signal.SIGINT, WINDOWS_SIGBREAK)
    return (signal.SIGINT, signal.SIGTERM)


def on_stop_signals(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None], *, platform: str = PLATFORM
) -> Callable[[], None]:
    """Call ``stop`` in ``loop`` when a stop signal arrives; returns a function that puts the
    previous handlers back. Call it from the main thread, inside the running loop.

    POSIX: ``loop.add_signal_handler``. Windows, and a POSIX loop without it: ``signal.signal``
    handlers (see ``_on_signals``)."""
    signals = stop_signals(platform=platform)
    if is_windows(platform):
        return _on_signals(loop, stop, signals)  # no Windows event loop has add_signal_handler
    added: list[int] = []
    # remove_signal_handler leaves SIG_DFL behind, not the handler that was there before (a
    # host's own, such as a server's in the same process): put that one back ourselves.
    previous: dict[int, Any] = {signum: signal.getsignal(signum) for signum in signals}

    def remove_loop_handlers() -> None:
        for signum in added:
            loop.remove_signal_handler(signum)
            handler = previous[signum]
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    try:
        for signum in signals:
            loop.add_signal_handler(signum, stop)
            added.append(signum)
    except NotImplementedError:
        remove_loop_handlers()
        return _on_signals(loop, stop, signals)
    return remove_loop_handlers


def _on_signals(
    loop: asyncio.AbstractEventLoop, stop: Callable[[], None], signals: tuple[int, ...]
) -> Callable[[], None]:
    """``signal.signal`` handlers run in the main thread between bytecodes, maybe while the loop
    waits for I/O, so they hand ``stop`` over with ``call_soon_threadsafe``, which also wakes
    the loop up."""

    def handle(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(stop)

    previous: dict[int, Any] = {signum: signal.signal(signum, handle) for signum in signals}

    def restore_handlers() -> None:
        for signum, handler in previous.items():
            # None: a handler not installed from Python; the default is the closest match.
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)

    return restore_handlers


def aside_path(executable: Path) -> Path:
    """Where an update on Windows moves the running executable: ``<executable>.old``."""
    return executable.with_name(executable.name + ".old")


def replace_executable(executable: Path, new: Path, *, platform: str = PLATFORM) -> None:
    """Put the file ``new`` (a verified update) in the place of the running ``executable``.

    POSIX: ``new`` gets the executable's permission bits (and the owner's execute bit) and is
    renamed over it; the folder is fsynced. A running program's file may be replaced: the
    process keeps the old inode. Windows: the running ``.exe`` cannot be overwritten or
    deleted, only renamed; it goes aside to ``aside_path`` (a stale one from an earlier update
    is deleted first; one still in use is an error) and ``new`` is moved in. Should that second
    rename fail, the old executable is put back and the error raised."""
    if not is_windows(platform):
        mode = stat.S_IMODE(executable.stat().st_mode)
        os.chmod(new, mode | stat.S_IXUSR)
        replace_file(new, executable, platform=platform)
        sync_directory(executable.parent, platform=platform)
        return
    aside = aside_path(executable)
    remove_previous_executable(executable, platform=platform)
    if aside.exists():
        raise PermissionError(
            f"{aside} is still in use by an earlier agent process; stop it and start again"
        )
    os.rename(executable, aside)
    try:
        replace_file(new, executable, platform=platform)
    except OSError:
        os.rename(aside, executable)
        raise


def remove_previous_executable(executable: Path, *, platform: str = PLATFORM) -> bool:
    """Delete the executable an update on Windows moved aside; True when one was deleted.

    Called at start, when the process that ran it has ended. While it still runs (an old agent
    not stopped yet), Windows refuses and the file stays for the next start. POSIX makes no
    such file, so there a file of that name is not the agent's and is left alone."""
    aside = aside_path(executable)
    if not is_windows(platform) or not aside.exists():
        return False
    try:
        aside.unlink()
    except PermissionError:
        return False
    return True


def load_library(path: Path | str, *, platform: str = PLATFORM) -> ctypes.CDLL:
    """Load a shared library (a J2534 DLL). Raises ``OSError`` when it cannot be loaded (a
    missing file, or a 32-bit DLL in the 64-bit agent: WinError 193).

    Windows: ``ctypes.WinDLL``, whose functions are ``__stdcall`` (WINAPI, as J2534-1 declares
    them); that differs from the C convention on 32-bit x86 only, a 64-bit process has one
    convention. POSIX: ``ctypes.CDLL``."""
    if is_windows(platform):
        # ctypes names WinDLL on Windows only: getattr keeps mypy's Linux run quiet.
        win_dll: type[ctypes.CDLL] = getattr(ctypes, "WinDLL")  # noqa: B009
        return win_dll(str(path))
    return ctypes.CDLL(str(path))


class RegistryReader(Protocol):
    """Read access to ``HKEY_LOCAL_MACHINE`` (``winreg`` on Windows, a fake in tests)."""

    def subkeys(self, path: str) -> list[str]:
        """The names of the keys under ``path``; [] when ``path`` does not exist."""
        ...

    def value(self, path: str, name: str) -> str | None:
        """The string value ``name`` of the key ``path``; None when either is missing."""
        ...


@dataclass(frozen=True, slots=True)
class PassThruRegistration:
    """A J2534 device as its installer registered it. ``bits``: 32 for a registration under
    WOW6432Node (a 32-bit DLL, which the 64-bit agent cannot load)."""

    name: str
    vendor: str
    function_library: str
    bits: int


def installed_passthru_devices(
    *, platform: str = PLATFORM, registry: RegistryReader | None = None
) -> list[PassThruRegistration]:
    """The J2534 04.04 devices registered on this machine, 64-bit registrations first.

    Windows: every key under ``HKLM\\SOFTWARE\\PassThruSupport.04.04`` (and its WOW6432Node
    twin) with a ``FunctionLibrary`` value; installers put the device key there directly or
    under a vendor key, so both levels are looked at. ``registry`` defaults to ``winreg``.
    Elsewhere there is no registry: []. Raises ``OSError`` when the registry cannot be read."""
    if not is_windows(platform):
        return []
    reader = registry if registry is not None else _windows_registry()
    found: list[PassThruRegistration] = []
    for root, bits in PASSTHRU_REGISTRY_KEYS:
        for key in reader.subkeys(root):
            path = f"{root}\\{key}"
            candidates = [path] + [f"{path}\\{sub}" for sub in reader.subkeys(path)]
            for candidate in candidates:
                library = reader.value(candidate, "FunctionLibrary")
                if not library:
                    continue
                found.append(
                    PassThruRegistration(
                        name=reader.value(candidate, "Name") or candidate.rsplit("\\", 1)[1],
                        vendor=reader.value(candidate, "Vendor") or key,
                        function_library=library,
                        bits=bits,
                    )
                )
    return found


def _windows_registry() -> RegistryReader:
    # sys.platform (not PLATFORM) so that mypy checks the winreg calls for win32 only.
    if sys.platform != "win32":
        raise OSError("the Windows registry exists on Windows only")
    import winreg

    class WinRegistry:
        def subkeys(self, path: str) -> list[str]:
            try:
                with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path) as key:
                    count = winreg.QueryInfoKey(key)[0]
                    return [winreg.EnumKey(key, index) for index in range(count)]
            except FileNotFoundError:
                return []

        def value(self, path: str, name: str) -> str | None:
            try:
                with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path) as key:
                    data, kind = winreg.QueryValueEx(key, name)
            except FileNotFoundError:
                return None
            if kind == winreg.REG_EXPAND_SZ:
                return winreg.ExpandEnvironmentStrings(str(data))
            return str(data) if kind == winreg.REG_SZ else None

    return WinRegistry()
