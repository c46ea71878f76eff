"""The agent's self-update: download an offered build over HTTP (resuming a download cut short
with Range), verify it with the release key, replace the executable (POSIX and, with the
platform switched, Windows).

The "executables" are small files standing in for the single-file build (test_dist.py runs the
real one); the HTTP server is the conftest's loopback file server.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aos.agent.v1 import agent_pb2
from vci_agent.platform import aside_path, remove_previous_executable, replace_executable
from vci_agent.update import AgentUpdate, SelfUpdater, UpdateError, install_update, is_newer

OLD = b"#!old agent build\n" * 100
NEW = b"#!new agent build\n" * 150

Server = Callable[..., AbstractContextManager[tuple[str, Any]]]


def _offer(url: str, data: bytes, key: Ed25519PrivateKey, **changes: Any) -> AgentUpdate:
    values: dict[str, Any] = {
        "version": "0.2.0",
        "platform": "linux-x86_64",
        "url": url,
        "size": len(data),
        "sha256": hashlib.sha256(data).digest(),
        "signature": key.sign(data),
    }
    return AgentUpdate(**{**values, **changes})


def _executable(tmp_path: Path) -> Path:
    path = tmp_path / "bin" / "aos-vci-agent"
    path.parent.mkdir()
    path.write_bytes(OLD)
    path.chmod(0o750)
    return path


def _leftovers(executable: Path) -> list[str]:
    return sorted(p.name for p in executable.parent.iterdir() if p != executable)


def test_a_verified_build_replaces_the_executable_on_posix_keeping_its_mode(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with range_server(NEW) as (url, _served), httpx.Client() as client:
        install_update(
            client,
            _offer(url, NEW, release_key),
            executable=executable,
            release_key=release_key.public_key(),
            platform="linux",
        )

    assert executable.read_bytes() == NEW
    assert stat.S_IMODE(executable.stat().st_mode) == 0o750
    assert _leftovers(executable) == []


def test_on_windows_the_running_exe_goes_aside_and_the_next_start_deletes_it(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    aside_path(executable).write_bytes(b"the build before the old one")  # an earlier update's
    with range_server(NEW) as (url, _served), httpx.Client() as client:
        install_update(
            client,
            _offer(url, NEW, release_key),
            executable=executable,
            release_key=release_key.public_key(),
            platform="win32",
        )

    assert executable.read_bytes() == NEW
    assert aside_path(executable).read_bytes() == OLD
    assert _leftovers(executable) == [aside_path(executable).name]

    assert remove_previous_executable(executable, platform="win32") is True
    assert _leftovers(executable) == []
    assert remove_previous_executable(executable, platform="win32") is False


def test_posix_leaves_an_aside_file_alone_it_never_makes_one(tmp_path: Path) -> None:
    executable = _executable(tmp_path)
    aside_path(executable).write_bytes(b"not ours")

    assert remove_previous_executable(executable, platform="linux") is False
    assert aside_path(executable).exists()


def test_on_windows_a_failed_move_in_puts_the_old_executable_back(tmp_path: Path) -> None:
    executable = _executable(tmp_path)
    missing = tmp_path / "bin" / "vanished.update"  # the rename of the new file fails

    with pytest.raises(FileNotFoundError):
        replace_executable(executable, missing, platform="win32")

    assert executable.read_bytes() == OLD
    assert _leftovers(executable) == []


@pytest.mark.parametrize(
    ("served", "change", "message"),
    [
        (NEW, {"signature": Ed25519PrivateKey.generate().sign(NEW)}, "signature does not verify"),
        (NEW, {"sha256": hashlib.sha256(b"other").digest()}, "SHA-256 is not the offer's"),
        (NEW + b"x", {}, "larger than"),
        (NEW[:-1], {}, "bytes downloaded"),
    ],
    ids=["foreign-signature", "sha256", "longer", "shorter"],
)
@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_a_build_that_fails_a_check_is_deleted_and_the_executable_stays(
    tmp_path: Path,
    range_server: Server,
    release_key: Ed25519PrivateKey,
    served: bytes,
    change: dict[str, Any],
    message: str,
    platform: str,
) -> None:
    executable = _executable(tmp_path)
    offer = _offer("", NEW, release_key, **change)
    with (
        range_server(served) as (url, _served),
        httpx.Client() as client,
        pytest.raises(UpdateError, match=message),
    ):
        install_update(
            client,
            AgentUpdate(**{**offer.__dict__, "url": url}),
            executable=executable,
            release_key=release_key.public_key(),
            platform=platform,
        )

    assert executable.read_bytes() == OLD
    assert _leftovers(executable) == []


def test_an_unreachable_server_is_an_update_error_and_leaves_nothing(
    tmp_path: Path, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with socket.socket() as probe:  # a port nobody listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with httpx.Client() as client, pytest.raises(UpdateError, match=r"downloading agent 0\.2\.0"):
        install_update(
            client,
            _offer(f"http://127.0.0.1:{port}/build", NEW, release_key),
            executable=executable,
            release_key=release_key.public_key(),
        )

    assert executable.read_bytes() == OLD
    assert _leftovers(executable) == []


def test_an_offer_of_an_impossible_size_is_refused_before_downloading(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with (
        range_server(NEW) as (url, served),
        httpx.Client() as client,
        pytest.raises(UpdateError, match="size 0"),
    ):
        install_update(
            client,
            _offer(url, NEW, release_key, size=0),
            executable=executable,
            release_key=release_key.public_key(),
        )

    assert served.ranges_seen == []  # no request reached the server
    assert executable.read_bytes() == OLD


def test_versions_compare_as_numbers() -> None:
    assert is_newer("0.10.0", "0.9.3")
    assert is_newer("1.0.0", "0.99.99")
    assert not is_newer("0.1.0", "0.1.0")
    assert not is_newer("0.1.0", "0.2.0")
    with pytest.raises(UpdateError, match="not a version"):
        is_newer("latest", "0.1.0")


def test_an_empty_update_message_is_no_offer() -> None:
    assert AgentUpdate.from_proto(agent_pb2.AgentUpdate()) is None
    offered = AgentUpdate.from_proto(
        agent_pb2.AgentUpdate(version="0.2.0", platform="windows-x86_64", url="u", size=3)
    )
    assert offered is not None and (offered.version, offered.size) == ("0.2.0", 3)


def test_the_executable_bit_is_kept_for_the_owner(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    executable.chmod(0o640)  # even a build someone made non-executable can run after the update
    with range_server(NEW) as (url, _served), httpx.Client() as client:
        install_update(
            client,
            _offer(url, NEW, release_key),
            executable=executable,
            release_key=release_key.public_key(),
            platform="linux",
        )
    assert os.access(executable, os.X_OK)


def _install_recording(
    client: httpx.Client,
    url: str,
    executable: Path,
    release_key: Ed25519PrivateKey,
    **download: Any,
) -> list[tuple[int, int]]:
    progress: list[tuple[int, int]] = []
    install_update(
        client,
        _offer(url, NEW, release_key),
        executable=executable,
        release_key=release_key.public_key(),
        platform="linux",
        retry_delay=0,
        progress=lambda done, total: progress.append((done, total)),
        **download,
    )
    return progress


def test_a_download_cut_mid_way_resumes_from_the_bytes_it_has_with_range(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with range_server(NEW, cuts=(1000,)) as (url, served), httpx.Client() as client:
        progress = _install_recording(client, url, executable, release_key)

    assert served.ranges_seen == [None, "bytes=1000-"]
    assert executable.read_bytes() == NEW
    assert _leftovers(executable) == []
    assert progress[-1] == (len(NEW), len(NEW))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_each_cut_is_resumed_where_the_previous_attempt_stopped(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with range_server(NEW, cuts=(500, 700, 900)) as (url, served), httpx.Client() as client:
        _install_recording(client, url, executable, release_key)

    assert served.ranges_seen == [None, "bytes=500-", "bytes=1200-", "bytes=2100-"]
    assert executable.read_bytes() == NEW


def test_a_server_that_ignores_range_sends_it_all_again_and_the_download_starts_over(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with (
        range_server(NEW, cuts=(1000,), honour_range=False) as (url, served),
        httpx.Client() as client,
    ):
        progress = _install_recording(client, url, executable, release_key)

    assert served.ranges_seen == [None, "bytes=1000-"]  # asked, answered with 200
    assert executable.read_bytes() == NEW
    assert progress[-1] == (len(NEW), len(NEW))


def test_a_line_that_drops_every_time_is_given_up_after_the_attempts(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    with (
        range_server(NEW, cuts=(100,) * 10) as (url, served),
        httpx.Client() as client,
        pytest.raises(UpdateError, match="gave up after 3 attempts, 300 of 2700 bytes"),
    ):
        _install_recording(client, url, executable, release_key, attempts=3)

    assert served.ranges_seen == [None, "bytes=100-", "bytes=200-"]
    assert executable.read_bytes() == OLD
    assert _leftovers(executable) == []


async def test_the_self_updater_reports_progress_and_each_resume(
    tmp_path: Path, range_server: Server, release_key: Ed25519PrivateKey
) -> None:
    executable = _executable(tmp_path)
    lines: list[str] = []
    updater = SelfUpdater(
        executable,
        release_key=release_key.public_key(),
        running_version="0.1.0",
        platform="linux",
        report=lines.append,
        retry_delay=0,
    )
    with range_server(NEW, cuts=(1350,)) as (url, _served):
        offer = _offer(url, NEW, release_key)
        installed = await updater.consider(
            agent_pb2.AgentUpdate(
                version=offer.version,
                platform=offer.platform,
                url=offer.url,
                size=offer.size,
                sha256=offer.sha256,
                signature=offer.signature,
            )
        )

    assert installed is True
    assert lines[0] == "agent 0.2.0: downloaded 50% (0.0 of 0.0 MB)"
    assert lines[1].startswith(
        "agent 0.2.0: download interrupted at 1350 of 2700 bytes ("
    ) and lines[1].endswith("); resuming, attempt 2 of 5")
    assert lines[2] == "agent 0.2.0: downloaded 100% (0.0 of 0.0 MB)"
    assert lines[-1] == f"agent 0.2.0 installed as {executable}"
