"""Generate Python code and .pyi stubs from proto/ with grpcio-tools' bundled protoc.

Usage:
    python scripts/gen_proto.py            # regenerate into proto/src (make proto)
    python scripts/gen_proto.py --check    # fail if proto/src is stale (make test)
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = PROTO_DIR / "src"
SOURCE_ROOTS = ("aos",)


def proto_files() -> list[Path]:
    """Every .proto below the source roots, sorted for a stable result."""
    return sorted(p for root in SOURCE_ROOTS for p in (PROTO_DIR / root).rglob("*.proto"))


def generate(out_dir: Path) -> None:
    """Run protoc for every source file into out_dir; raise SystemExit on a protoc error."""
    out_dir.mkdir(parents=True, exist_ok=True)
    well_known = resources.files("grpc_tools") / "_proto"
    files = [str(p.relative_to(PROTO_DIR)) for p in proto_files()]
    args = [
        "protoc",
        f"-I{PROTO_DIR}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed; see the messages above")


def generated_files(base: Path) -> set[Path]:
    return {p.relative_to(base) for p in base.rglob("*") if p.suffix in {".py", ".pyi"}}


def check() -> int:
    """Compare a fresh generation with the committed files; 0 when identical."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh)
        want, have = generated_files(fresh), generated_files(OUT_DIR)
        stale = sorted(str(p) for p in want ^ have)
        stale += sorted(
            str(p) for p in want & have if not filecmp.cmp(fresh / p, OUT_DIR / p, shallow=False)
        )
    if stale:
        print("generated protobuf code is stale: " + ", ".join(stale), file=sys.stderr)
        print("run `make proto` and commit the result", file=sys.stderr)
        return 1
    print("protobuf code is fresh")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check freshness")
    if parser.parse_args().check:
        return check()
    shutil.rmtree(OUT_DIR / "aos", ignore_errors=True)
    generate(OUT_DIR)
    print(f"generated {len(proto_files())} proto files into {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
