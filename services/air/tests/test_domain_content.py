"""The shipped content pack is sound, and the integrity check catches broken packs."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from air.content import load_pack
from air.domain.content import (
    Applicability,
    ContentPackError,
    DocumentType,
    integrity_problems,
    parse_pack,
)

PACK = load_pack()


def test_shipped_pack_has_no_integrity_problems() -> None:
    assert integrity_problems(PACK) == []


def test_shipped_pack_has_at_least_fifteen_documents_of_each_type() -> None:
    counts = Counter(doc.type for doc in PACK.documents)

    assert len(PACK.documents) >= 15
    assert set(counts) == set(DocumentType)
    assert min(counts.values()) >= 4


def test_document_ids_are_unique() -> None:
    ids = [doc.id for doc in PACK.documents]
    assert len(ids) == len(set(ids))


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


def _raw_pack(**overrides: Any) -> dict[str, Any]:
    document = {
        "id": "ri-test",
        "type": "repair_instruction",
        "title": "Test",
        "summary": "Test summary",
        "series": ["G20"],
        "body_file": "body.md",
    }
    document.update(overrides)
    return {
        "version": "test",
        "notice": "test pack",
        "type_codes": [
            {"code": "5F31", "series": "G20", "model": "330i", "body": "Sedan", "engine": "B48"}
        ],
        "documents": [document],
    }


FILES = {
    "body.md": "## Steps\n1. Do it.",
    "ok.svg": ('<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">X1</text></svg>'),
    "script.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><text>X</text></svg>'
    ),
    "broken.svg": "<svg",
}


def _problems(raw: dict[str, Any]) -> list[str]:
    return integrity_problems(parse_pack(raw, read_file=FILES.__getitem__))


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
        parse_pack(_raw_pack(type="manual"), read_file=FILES.__getitem__)


def test_parse_rejects_series_that_is_neither_all_nor_a_list() -> None:
    with pytest.raises(ContentPackError, match="'series' must be"):
        parse_pack(_raw_pack(series="G20"), read_file=FILES.__getitem__)


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
