"""Build the single-file VCI agent with PyInstaller: ``make agent-dist``.

Runs services/vci-agent/packaging/vci-agent.spec and leaves, in the output folder (``dist/``):

* ``aos-vci-agent-<version>-<platform>`` (``.exe`` on Windows): the agent, one executable file;
* the same name + ``.sha256``: its SHA-256 in ``sha256sum`` format (``<hex>  <name>``).

PyInstaller builds for the OS and architecture it runs on: run this on Windows for the Windows
build (the spec is the same; see the agent's README). Prints the file, its size and the build's
duration.

Usage:
    python scripts/agent_dist.py [--dist-dir DIR] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from pathlib import Path

from vci_agent.release import AGENT_VERSION, build_file_name

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "services" / "vci-agent" / "packaging" / "vci-agent.spec"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build(dist_dir: Path, *, work_dir: Path) -> Path:
    """Build the agent into ``dist_dir`` and write its ``.sha256``; return the executable."""
    name = build_file_name(AGENT_VERSION)
    stem = name.removesuffix(".exe")  # PyInstaller adds .exe itself on Windows
    dist_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist_dir),
            "--workpath",
            str(work_dir),
            str(SPEC),
            "--",
            "--name",
            stem,
        ],
        check=True,
    )
    executable = dist_dir / name
    if not executable.is_file():
        raise SystemExit(f"PyInstaller finished but {executable} is missing")
    checksum = executable.with_name(name + ".sha256")
    checksum.write_text(f"{sha256_of(executable)}  {name}\n")
    return executable


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the single-file VCI agent.")
    parser.add_argument("--dist-dir", type=Path, default=ROOT / "dist")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "agent-dist")
    args = parser.parse_args()
    started = time.perf_counter()
    executable = build(args.dist_dir, work_dir=args.work_dir)
    elapsed = time.perf_counter() - started
    size = executable.stat().st_size
    print(f"built {executable} ({size / 1e6:.1f} MB) in {elapsed:.0f} s")
    print(f"SHA-256 in {executable.name}.sha256")
    return 0


if __name__ == "__main__":
    sys.exit(main())
