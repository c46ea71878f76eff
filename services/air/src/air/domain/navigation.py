"""The navigation pathway (system → component) as facets with counts, labelled in a language.

Labels come from the content pack's taxonomy (``systems.json``); an id the taxonomy does not
name, or every id while the pack ships no taxonomy, is shown as itself so that a facet is never
hidden for want of a label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from air.domain.content import ContentPackError, Language


@dataclass(frozen=True)
class Taxonomy:
    """Labels per language: ``systems[id][lang]`` and ``components[(system, id)][lang]``;
    ``order`` lists system ids in the pack's order."""

    systems: Mapping[str, Mapping[str, str]]
    components: Mapping[tuple[str, str], Mapping[str, str]]
    order: tuple[str, ...] = ()

    def system_label(self, system: str, language: Language) -> str:
        return _pick(self.systems.get(system), language, system)

    def component_label(self, system: str, component: str, language: Language) -> str:
        return _pick(self.components.get((system, component)), language, component)


EMPTY_TAXONOMY = Taxonomy(systems={}, components={})


def _pick(labels: Mapping[str, str] | None, language: Language, fallback: str) -> str:
    if not labels:
        return fallback
    return labels.get(language.value) or labels.get(Language.EN.value) or fallback


def _labels(entry: Mapping[str, Any], where: str) -> dict[str, str]:
    label = entry.get("label")
    if isinstance(label, str):
        return {Language.EN.value: label}
    if not isinstance(label, Mapping) or not all(isinstance(v, str) for v in label.values()):
        raise ContentPackError(f"{where}: 'label' must be an object of language → text")
    return {str(key): str(value) for key, value in label.items()}


def parse_taxonomy(raw: Mapping[str, Any]) -> Taxonomy:
    """The taxonomy from ``systems.json``; raises ContentPackError when it is malformed."""
    systems_raw = raw.get("systems")
    if not isinstance(systems_raw, list):
        raise ContentPackError("systems.json needs a 'systems' list")
    systems: dict[str, Mapping[str, str]] = {}
    components: dict[tuple[str, str], Mapping[str, str]] = {}
    for entry in systems_raw:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            raise ContentPackError(f"a system needs an 'id': {entry!r}")
        system_id = entry["id"]
        systems[system_id] = _labels(entry, f"system {system_id!r}")
        for component in entry.get("components") or []:
            if not isinstance(component, Mapping) or not isinstance(component.get("id"), str):
                raise ContentPackError(f"system {system_id!r}: a component needs an 'id'")
            where = f"component {system_id}/{component['id']}"
            components[(system_id, component["id"])] = _labels(component, where)
    return Taxonomy(systems=systems, components=components, order=tuple(systems))


@dataclass(frozen=True)
class ComponentFacet:
    id: str
    label: str
    count: int


@dataclass(frozen=True)
class SystemFacet:
    id: str
    label: str
    count: int
    components: tuple[ComponentFacet, ...]


def system_facets(
    counts: Iterable[tuple[str, str, int]], taxonomy: Taxonomy, language: Language
) -> list[SystemFacet]:
    """Facets from (system, component, documents) counts: systems in the taxonomy's order (then
    by id), components by label."""
    per_system: dict[str, dict[str, int]] = {}
    for system, component, count in counts:
        per_system.setdefault(system, {})[component] = count
    rank = {system: index for index, system in enumerate(taxonomy.order)}
    facets = [
        SystemFacet(
            id=system,
            label=taxonomy.system_label(system, language),
            count=sum(components.values()),
            components=tuple(
                sorted(
                    (
                        ComponentFacet(
                            id=component,
                            label=taxonomy.component_label(system, component, language),
                            count=count,
                        )
                        for component, count in components.items()
                    ),
                    key=lambda facet: (facet.label.casefold(), facet.id),
                )
            ),
        )
        for system, components in per_system.items()
    ]
    return sorted(facets, key=lambda facet: (rank.get(facet.id, len(rank)), facet.id))


__all__ = [
    "EMPTY_TAXONOMY",
    "ComponentFacet",
    "SystemFacet",
    "Taxonomy",
    "parse_taxonomy",
    "system_facets",
]
