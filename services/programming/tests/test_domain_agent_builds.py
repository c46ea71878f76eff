"""Agent build names, the choice of the build to offer, and the check of a builds folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from programming.domain.agent_builds import BuildName, newest_offer, parse_build_name
from programming.services.agent_builds import BuildFileError, read_build_files


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("aos-vci-agent-0.1.0-linux-x86_64", BuildName("0.1.0", "linux-x86_64")),
        ("aos-vci-agent-1.12.3-windows-x86_64.exe", BuildName("1.12.3", "windows-x86_64")),
        ("aos-vci-agent-2.0.0-macos-arm64", BuildName("2.0.0", "macos-arm64")),
        ("aos-vci-agent-0.1.0-windows-x86_64", None),  # a Windows build must be an .exe
        ("aos-vci-agent-0.1.0-linux-x86_64.exe", None),  # and only it
        ("aos-vci-agent-0.1.0-linux-x86_64.sha256", None),
        ("aos-vci-agent-latest-linux-x86_64", None),
        ("README.md", None),
    ],
)
def test_build_file_names(name: str, expected: BuildName | None) -> None:
    assert parse_build_name(name) == expected


BUILDS = [
    BuildName("0.9.0", "linux-x86_64"),
    BuildName("0.10.0", "linux-x86_64"),  # newer than 0.9.0: versions compare as numbers
    BuildName("0.11.0", "windows-x86_64"),
]


def test_the_offer_is_the_newest_build_of_the_platform_newer_than_the_agent() -> None:
    assert newest_offer(BUILDS, platform="linux-x86_64", running_version="0.1.0") == BUILDS[1]
    assert newest_offer(BUILDS, platform="linux-x86_64", running_version="0.10.0") is None
    assert newest_offer(BUILDS, platform="windows-x86_64", running_version="0.1.0") == BUILDS[2]
    assert newest_offer(BUILDS, platform="macos-arm64", running_version="0.1.0") is None
    # From source (no platform) or with an unreadable version: nothing.
    assert newest_offer(BUILDS, platform="", running_version="0.1.0") is None
    assert newest_offer(BUILDS, platform="linux-x86_64", running_version="dev") is None


def test_a_builds_folder_is_read_with_each_build_checked_against_its_sha256(
    tmp_path: Path,
) -> None:
    name = "aos-vci-agent-0.2.0-linux-x86_64"
    (tmp_path / name).write_bytes(b"build")
    (tmp_path / f"{name}.sha256").write_text(f"{hashlib.sha256(b'build').hexdigest()}  {name}\n")
    (tmp_path / "notes.txt").write_text("not a build")

    [build] = read_build_files(tmp_path)
    assert (build.file_name, build.version, build.platform, build.content) == (
        name,
        "0.2.0",
        "linux-x86_64",
        b"build",
    )

    (tmp_path / name).write_bytes(b"build, changed after its checksum was taken")
    with pytest.raises(BuildFileError, match=f"{name}: its SHA-256 is not the one in"):
        read_build_files(tmp_path)


def test_a_missing_builds_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BuildFileError, match="is not a folder; run make agent-dist"):
        read_build_files(tmp_path / "dist")
