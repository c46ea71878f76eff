"""The demo content pack shipped as package data: ``pack.json``, the vehicle tables
(``vehicles.json``), the taxonomy (``systems.json``), Markdown bodies with their translations in
``documents/<lang>/<id>.md``, and SVG diagrams."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from air.domain.content import ContentPack, ContentPackError, integrity_problems, parse_pack
from air.domain.vehicle import VehicleCatalog

PACK_FILE = "pack.json"


@cache
def load_pack() -> ContentPack:
    """The shipped pack with every language version, parsed once. Raises ContentPackError when
    it is broken."""
    root = files(__package__)

    def read_file(relative: str) -> str:
        return root.joinpath(*relative.split("/")).read_text(encoding="utf-8")

    def list_files(folder: str) -> list[str]:
        directory = root.joinpath(*folder.split("/"))
        return [entry.name for entry in directory.iterdir()] if directory.is_dir() else []

    pack = parse_pack(json.loads(read_file(PACK_FILE)), read_file=read_file, list_files=list_files)
    problems = integrity_problems(pack)
    if problems:
        raise ContentPackError("the content pack is inconsistent: " + "; ".join(problems))
    return pack


def vehicle_catalog() -> VehicleCatalog:
    """The maker's vehicle tables of the shipped pack."""
    return load_pack().vehicles


__all__ = ["load_pack", "vehicle_catalog"]
