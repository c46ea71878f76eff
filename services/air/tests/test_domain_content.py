"""The shipped content pack is sound, and the integrity check catches broken packs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import PurePosixPath
from typing import Any

import pytest

from air.content import load_pack
from air.domain.content import (
    Applicability,
    ContentPack,
    ContentPackError,
    DocumentType,
    FuelType,
    Language,
    integrity_problems,
    parse_pack,
)

PACK = load_pack()


def test_shipped_pack_has_no_integrity_problems() -> None:
    assert integrity_problems(PACK) == []


def test_shipped_pack_has_at_least_fifteen_documents_of_each_type() -> None:
    counts = Counter(doc.type for doc in PACK.in_language(Language.EN))

    assert len(PACK.in_language(Language.EN)) >= 15
    assert set(counts) == set(DocumentType)
    assert min(counts.values()) >= 4


def test_document_ids_are_unique_per_language() -> None:
    keys = [(doc.id, doc.language) for doc in PACK.documents]
    assert len(keys) == len(set(keys))


def test_every_document_series_is_in_the_type_code_table_or_generic() -> None:
    for doc in PACK.documents:
        applicability = doc.applicability
        assert applicability.all_series or set(applicability.series) <= PACK.series, doc.id


def test_some_documents_apply_to_all_series() -> None:
    assert len([d for d in PACK.documents if d.applicability.all_series]) >= 2


def test_every_wiring_diagram_has_an_svg_and_no_other_document_has_one() -> None:
    for doc in PACK.documents:
        has_svg = doc.svg is not None and doc.svg.lstrip().startswith("<svg")
        assert has_svg == (doc.type is DocumentType.WIRING_DIAGRAM), doc.id


def test_type_code_table_covers_several_series() -> None:
    assert len(PACK.type_codes) >= 8
    assert len(PACK.series) >= 4


def test_bodies_are_markdown_with_steps() -> None:
    for doc in PACK.documents:
        assert "## " in doc.body, doc.id
        assert "1. " in doc.body or "| " in doc.body, doc.id


def test_content_hash_changes_with_the_body_only_when_the_body_changes() -> None:
    doc = PACK.documents[0]
    same = type(doc)(**{**doc.__dict__})
    changed = type(doc)(**{**doc.__dict__, "body": doc.body + "\nExtra line."})

    assert same.content_hash() == doc.content_hash()
    assert changed.content_hash() != doc.content_hash()


VEHICLES = {
    "make": "BMW",
    "wmis": ["WBA"],
    "plants": {"F": "Regensburg"},
    "engines": [
        {
            "code": "B48B20",
            "family": "B48",
            "description": "petrol",
            "displacement_ccm": 1998,
            "cylinders": 4,
        },
        {
            "code": "B47D20",
            "family": "B47",
            "description": "diesel",
            "displacement_ccm": 1995,
            "cylinders": 4,
        },
    ],
    "transmissions": [
        {"code": "GA8HP", "description": "8-speed automatic"},
        {"code": "GS6-45BZ", "description": "6-speed manual"},
    ],
    "options": [{"code": "2VR", "description": "Air suspension"}],
    "type_codes": [
        {
            "code": "5F31",
            "series": "G20",
            "model": "330i",
            "body": "Sedan",
            "engine": "B48B20",
            "fuel_type": "petrol",
            "power_kw": 190,
            "transmission": "GA8HP",
            "drive": "RWD",
            "options": ["2VR"],
        },
        {
            "code": "5F71",
            "series": "G20",
            "model": "320d",
            "body": "Sedan",
            "engine": "B47D20",
            "fuel_type": "diesel",
            "power_kw": 140,
            "transmission": "GA8HP",
            "drive": "RWD",
        },
    ],
}
SYSTEMS = {
    "systems": [
        {
            "id": "engine",
            "label": {"en": "Engine", "de": "Motor"},
            "components": [
                {"id": "lubrication", "label": {"en": "Lubrication", "de": "Schmierung"}}
            ],
        },
    ]
}


def _raw_pack(**overrides: Any) -> dict[str, Any]:
    document = {
        "id": "ri-test",
        "type": "repair_instruction",
        "title": "Test",
        "summary": "Test summary",
        "system": "engine",
        "component": "lubrication",
        "series": ["G20"],
        "body_file": "body.md",
    }
    document.update(overrides)
    return {
        "version": "test",
        "notice": "test pack",
        "vehicles_file": "vehicles.json",
        "systems_file": "systems.json",
        "documents": [document],
    }


FILES = {
    "vehicles.json": json.dumps(VEHICLES),
    "systems.json": json.dumps(SYSTEMS),
    "body.md": "## Steps\n1. Do it.",
    "ok.svg": ('<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">X1</text></svg>'),
    "script.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>X</text></svg>'
    ),
    "broken.svg": "<svg",
}


def _parse(raw: dict[str, Any], extra: dict[str, str] | None = None) -> ContentPack:
    files = {**FILES, **(extra or {})}

    def list_files(folder: str) -> list[str]:
        return [PurePosixPath(p).name for p in files if str(PurePosixPath(p).parent) == folder]

    return parse_pack(raw, read_file=files.__getitem__, list_files=list_files)


def _problems(raw: dict[str, Any], extra: dict[str, str] | None = None) -> list[str]:
    return integrity_problems(_parse(raw, extra))


def test_integrity_check_reports_a_duplicate_id() -> None:
    raw = _raw_pack()
    raw["documents"].append(dict(raw["documents"][0]))

    assert _problems(raw) == ["document id 'ri-test' is used more than once"]


def test_integrity_check_reports_a_series_missing_from_the_type_code_table() -> None:
    assert _problems(_raw_pack(series=["G20", "E46"])) == [
        "ri-test: series 'E46' is not in the type-code table"
    ]


def test_integrity_check_reports_a_wiring_diagram_without_svg() -> None:
    assert _problems(_raw_pack(type="wiring_diagram")) == ["ri-test: a wiring diagram without SVG"]


@pytest.mark.parametrize(
    ("svg_file", "problem"),
    [("script.svg", "contains script or foreign content"), ("broken.svg", "is not well-formed")],
)
def test_integrity_check_reports_a_bad_svg(svg_file: str, problem: str) -> None:
    problems = _problems(_raw_pack(type="wiring_diagram", diagram_file=svg_file))

    assert len(problems) == 1
    assert problem in problems[0]


def test_integrity_check_accepts_a_sound_wiring_diagram() -> None:
    assert _problems(_raw_pack(type="wiring_diagram", diagram_file="ok.svg")) == []


def test_integrity_check_reports_reversed_model_years_and_bad_slug() -> None:
    assert _problems(_raw_pack(id="RI Test", model_year_from=2022, model_year_to=2020)) == [
        "document id 'RI Test' is not a lowercase slug",
        "RI Test: model years 2022-2020 are reversed",
    ]


def test_parse_rejects_an_unknown_document_type() -> None:
    with pytest.raises(ContentPackError, match="unknown type 'manual'"):
        _parse(_raw_pack(type="manual"))


def test_parse_rejects_series_that_is_neither_all_nor_a_list() -> None:
    with pytest.raises(ContentPackError, match="'series' must be"):
        _parse(_raw_pack(series="G20"))


def test_pack_warns_that_its_content_is_made_up() -> None:
    assert "must not be used on a real vehicle" in PACK.notice


@pytest.mark.parametrize(
    ("series", "year", "applies"),
    [
        ("G20", 2020, True),
        ("G21", 2018, False),
        ("G21", 2022, False),
        ("G05", 2020, False),
        (None, 2020, False),
        ("G20", None, True),
    ],
)
def test_applicability_by_series_and_model_year(
    series: str | None, year: int | None, applies: bool
) -> None:
    rule = Applicability(series=("G20", "G21"), model_year_from=2019, model_year_to=2021)
    assert rule.applies_to(series, year) is applies


def test_all_series_applicability_matches_an_unknown_series() -> None:
    assert Applicability(series=(), all_series=True).applies_to(None, None) is True


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"engine_codes": ["B99"]}, "ri-test: engine 'B99' is not in the engine table"),
        # Documents name the engine family, not the variant.
        ({"engine_codes": ["B48B20"]}, "ri-test: engine 'B48B20' is not in the engine table"),
        (
            {"transmissions": ["GA9X"]},
            "ri-test: transmission 'GA9X' is not in the transmission table",
        ),
        ({"option_codes": ["9ZZ"]}, "ri-test: option '9ZZ' is not in the option table"),
        ({"system": "wheels"}, "ri-test: system 'wheels' is not in the taxonomy"),
        ({"component": "ignition"}, "ri-test: component 'ignition' is not a component of 'engine'"),
        (
            {"engine_codes": ["B47"], "fuel_types": ["petrol"]},
            "ri-test: its conditions match no type code of the table",
        ),
    ],
)
def test_integrity_check_reports_unknown_codes_and_pathways(
    overrides: dict[str, Any], problem: str
) -> None:
    assert _problems(_raw_pack(**overrides)) == [problem]


def test_integrity_check_accepts_every_condition_a_vehicle_meets() -> None:
    raw = _raw_pack(
        engine_codes=["B48"],
        fuel_types=["petrol"],
        transmissions=["GA8HP"],
        option_codes=["2VR"],
        model_year_from=2019,
    )

    assert _problems(raw) == []


def test_parse_rejects_an_unknown_fuel_type() -> None:
    with pytest.raises(ContentPackError, match="unknown fuel type"):
        _parse(_raw_pack(fuel_types=["steam"]))


def test_parse_rejects_a_type_code_naming_an_engine_not_in_the_table() -> None:
    vehicles = json.loads(FILES["vehicles.json"])
    vehicles["type_codes"][0]["engine"] = "N20B20"

    with pytest.raises(ContentPackError, match="engine 'N20B20' is not in the engine table"):
        _parse(_raw_pack(), {"vehicles.json": json.dumps(vehicles)})


GERMAN = "---\ntitle: Prüfung\nsummary: Eine Prüfung\n---\n## Schritte\n1. Tun.\n"


def test_a_translation_is_one_more_language_version_with_the_english_conditions() -> None:
    pack = _parse(_raw_pack(engine_codes=["B48"]), {"documents/de/ri-test.md": GERMAN})

    english, german = pack.documents
    assert (german.id, german.language) == ("ri-test", Language.DE)
    assert (german.title, german.summary) == ("Prüfung", "Eine Prüfung")
    assert german.body == "## Schritte\n1. Tun.\n"
    assert german.applicability == english.applicability
    assert (german.type, german.system, german.component) == (
        english.type,
        english.system,
        english.component,
    )
    assert german.content_hash() != english.content_hash()
    assert integrity_problems(pack) == []


def test_integrity_check_reports_a_translation_of_an_unknown_document() -> None:
    assert _problems(_raw_pack(), {"documents/de/ri-nothing.md": GERMAN}) == [
        "translation documents/de/ri-nothing.md is for a document id that has no English entry"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\nsummary: Nur Zusammenfassung\n---\n## A\n1. B\n", "has no 'title'"),
        ("---\ntitle: Nur Titel\n---\n## A\n1. B\n", "has no 'summary'"),
        ("---\ntitle: T\nsummary: S\n---\n  \n", "the body is empty"),
        ("## Kein Kopf\n1. B\n", "must start with a '---' front matter block"),
        ("---\ntitle: T\nsummary: S\n## A\n", "is not 'key: value'"),
        ("---\ntitle: T\nsummary: S\n", "not closed"),
    ],
)
def test_a_broken_translation_is_refused_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(ContentPackError, match=message) as caught:
        _parse(_raw_pack(), {"documents/de/ri-test.md": text})

    assert "documents/de/ri-test.md" in str(caught.value)


def test_every_shipped_translation_shares_the_english_conditions_and_pathway() -> None:
    english = {doc.id: doc for doc in PACK.in_language(Language.EN)}
    german = PACK.in_language(Language.DE)

    assert german, "the pack ships German documents"
    for doc in german:
        original = english[doc.id]
        assert doc.applicability == original.applicability, doc.id
        assert (doc.system, doc.component, doc.svg) == (
            original.system,
            original.component,
            original.svg,
        )
        assert doc.title != original.title, doc.id


@pytest.mark.parametrize(
    "document_id",
    [
        "ri-b48-engine-oil-service",
        "ri-b58-engine-oil-service",
        "ri-all-brake-fluid-change",
        "ri-all-vehicle-check",
    ],
)
def test_documents_added_for_the_service_schedule_exist_in_english_and_german(
    document_id: str,
) -> None:
    languages = {doc.language for doc in PACK.documents if doc.id == document_id}

    assert languages == {Language.EN, Language.DE}


def test_every_document_has_a_system_and_component_of_the_taxonomy() -> None:
    for doc in PACK.documents:
        system = PACK.system(doc.system)
        assert system is not None and system.component(doc.component) is not None, doc.id
        assert set(system.label) == set(Language), doc.id


def test_oil_services_name_their_engine_and_fuel() -> None:
    by_id = {doc.id: doc for doc in PACK.in_language(Language.EN)}
    petrol, diesel = by_id["ri-b48-engine-oil-service"], by_id["ri-b47-engine-oil-service"]

    assert petrol.applicability.engine_codes == ("B48",)
    assert FuelType.DIESEL not in petrol.applicability.fuel_types
    assert diesel.applicability.engine_codes == ("B47",)
    assert diesel.applicability.fuel_types == (FuelType.DIESEL,)
    # The petrol procedure names its own oil and capacity, not the diesel ones.
    assert "0W-20" in petrol.body and "5.25" in petrol.body
    assert "5.2 l" not in petrol.body and "low-ash" in diesel.body


@pytest.mark.parametrize(
    ("systems", "message"),
    [
        ({"systems": [{"id": "engine", "label": {"en": "Engine"}, "components": []}]}, "'de'"),
        ({"systems": [{"id": "engine", "label": "Engine", "components": []}]}, "'label'"),
        ({"systems": [{"id": "engine", "label": {"en": "E", "de": "M"}}]}, "'components'"),
        (
            {"systems": [{"id": "engine", "label": {"en": "E", "de": "M"}, "components": ["x"]}]},
            "components must be objects",
        ),
    ],
)
def test_a_taxonomy_without_every_label_or_with_bad_components_is_refused(
    systems: dict[str, Any], message: str
) -> None:
    with pytest.raises(ContentPackError, match=message):
        _parse(_raw_pack(), {"systems.json": json.dumps(systems)})
