"""The demo content pack shipped as package data: ``pack.json``, Markdown bodies, SVG diagrams."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from air.domain.content import ContentPack, ContentPackError, integrity_problems, parse_pack

PACK_FILE = "pack.json"


@cache
def load_pack() -> ContentPack:
    """The shipped pack, parsed once. Raises ContentPackError when it is broken."""
    root = files(__package__)

    def read_file(relative: str) -> str:
        return root.joinpath(*relative.split("/")).read_text(encoding="utf-8")

    pack = parse_pack(json.loads(read_file(PACK_FILE)), read_file=read_file)
    problems = integrity_problems(pack)
    if problems:
        raise ContentPackError("the content pack is inconsistent: " + "; ".join(problems))
    return pack


__all__ = ["load_pack"]
