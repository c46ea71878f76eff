"""Optional files of the content pack that search uses: the navigation taxonomy
(``systems.json``) and the glossary (``glossary.json``). A pack without them still works: facets
are labelled with their ids and suggestions come from titles and summaries alone."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from air.domain.content import ContentPackError, Language
from air.domain.navigation import EMPTY_TAXONOMY, Taxonomy, parse_taxonomy

SYSTEMS_FILE = "systems.json"
GLOSSARY_FILE = "glossary.json"


def _read_json(name: str) -> Mapping[str, Any] | None:
    path = files(__package__).joinpath(name)
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, Mapping):
        raise ContentPackError(f"{name} must hold a JSON object")
    return raw


@cache
def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy, or an empty one while the pack has no ``systems.json``."""
    raw = _read_json(SYSTEMS_FILE)
    return parse_taxonomy(raw) if raw is not None else EMPTY_TAXONOMY


def parse_glossary(raw: Mapping[str, Any]) -> list[tuple[Language, str]]:
    """(language, term) of every glossary entry ``{"terms": [{"en": ..., "de": ...}]}``;
    languages we do not search are skipped."""
    terms = raw.get("terms")
    if not isinstance(terms, list):
        raise ContentPackError("glossary.json needs a 'terms' list")
    found: list[tuple[Language, str]] = []
    for entry in terms:
        if not isinstance(entry, Mapping):
            raise ContentPackError(f"glossary terms must be objects, not {entry!r}")
        for language in Language:
            term = entry.get(language.value)
            if isinstance(term, str) and term.strip():
                found.append((language, term))
    return found


@cache
def load_glossary() -> tuple[tuple[Language, str], ...]:
    """The shipped glossary's terms, or none while the pack has no ``glossary.json``."""
    raw = _read_json(GLOSSARY_FILE)
    return tuple(parse_glossary(raw)) if raw is not None else ()


__all__ = ["load_glossary", "load_taxonomy", "parse_glossary"]
