"""Facets by system and component, labelled from the taxonomy in the caller's language."""

from __future__ import annotations

import pytest

from air.content.extras import parse_glossary
from air.domain.content import ContentPackError, Language
from air.domain.navigation import EMPTY_TAXONOMY, parse_taxonomy, system_facets

TAXONOMY = parse_taxonomy(
    {
        "systems": [
            {
                "id": "engine",
                "label": {"en": "Engine", "de": "Motor"},
                "components": [
                    {"id": "lubrication", "label": {"en": "Lubrication", "de": "Schmierung"}},
                    {"id": "ignition", "label": {"en": "Ignition", "de": "Zündung"}},
                ],
            },
            {"id": "brakes", "label": {"en": "Brakes", "de": "Bremsen"}, "components": []},
        ]
    }
)
COUNTS = [("brakes", "discs", 2), ("engine", "lubrication", 1), ("engine", "ignition", 3)]


def test_facets_are_labelled_in_the_callers_language_in_the_taxonomys_order() -> None:
    facets = system_facets(COUNTS, TAXONOMY, Language.DE)

    assert [(f.id, f.label, f.count) for f in facets] == [
        ("engine", "Motor", 4),
        ("brakes", "Bremsen", 2),
    ]
    assert [(c.id, c.label, c.count) for c in facets[0].components] == [
        ("lubrication", "Schmierung", 1),
        ("ignition", "Zündung", 3),
    ]


def test_an_id_without_a_label_is_shown_as_itself() -> None:
    facets = system_facets(COUNTS, TAXONOMY, Language.EN)

    assert facets[1].components[0].label == "discs"


def test_without_a_taxonomy_every_label_is_the_id_and_systems_go_by_id() -> None:
    facets = system_facets(COUNTS, EMPTY_TAXONOMY, Language.DE)

    assert [(f.id, f.label) for f in facets] == [("brakes", "brakes"), ("engine", "engine")]


def test_a_missing_translation_falls_back_to_english() -> None:
    taxonomy = parse_taxonomy({"systems": [{"id": "body", "label": {"en": "Body"}}]})

    assert taxonomy.system_label("body", Language.DE) == "Body"


@pytest.mark.parametrize(
    "raw", [{}, {"systems": [{"label": "x"}]}, {"systems": [{"id": "a", "label": 3}]}]
)
def test_a_malformed_taxonomy_is_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ContentPackError):
        parse_taxonomy(raw)


def test_the_glossary_gives_terms_per_language() -> None:
    raw = {"terms": [{"en": "spark plug", "de": "Zündkerze"}, {"en": "brake fluid", "fr": "x"}]}

    assert parse_glossary(raw) == [
        (Language.EN, "spark plug"),
        (Language.DE, "Zündkerze"),
        (Language.EN, "brake fluid"),
    ]
