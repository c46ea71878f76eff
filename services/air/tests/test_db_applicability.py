"""The SQL twin of applicability (``air.db.applicability.applicable_to``) agrees with the domain
(``Applicability.applies``) on a matrix of documents and vehicles, against real PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from sqlalchemy import select

from air.db.applicability import applicable_to
from air.db.documents import DocumentRepository
from air.db.models import Document
from air.domain.content import (
    Applicability,
    ContentDocument,
    DocumentType,
    FuelType,
    Language,
    VehicleFacts,
)
from servicekit.db import Database

RULES = {
    "plain-g20": Applicability(series=("G20",)),
    "all": Applicability(series=(), all_series=True),
    "g20-g21-2019-2021": Applicability(
        series=("G20", "G21"), model_year_from=2019, model_year_to=2021
    ),
    "from-2022": Applicability(series=(), all_series=True, model_year_from=2022),
    "b48": Applicability(series=(), all_series=True, engine_codes=("B48",)),
    "b47-diesel": Applicability(
        series=("G20",), engine_codes=("B47",), fuel_types=(FuelType.DIESEL,)
    ),
    "petrol-or-phev": Applicability(
        series=(), all_series=True, fuel_types=(FuelType.PETROL, FuelType.PLUG_IN_HYBRID)
    ),
    "manual": Applicability(series=("G20",), transmissions=("GS6-45BZ",)),
    "air-or-hitch": Applicability(series=(), all_series=True, option_codes=("2VR", "3AC")),
    "everything": Applicability(
        series=("G20",),
        model_year_from=2019,
        model_year_to=2023,
        engine_codes=("B48",),
        fuel_types=(FuelType.PETROL,),
        transmissions=("GA8HP",),
        option_codes=("2VR",),
    ),
}

SERIES = ("G20", "G05", None)
YEARS = (2018, 2021, 2023, None)
ENGINES = (("B48", FuelType.PETROL), ("B47", FuelType.DIESEL), ("B48", FuelType.PLUG_IN_HYBRID))
TRANSMISSIONS = ("GA8HP", "GS6-45BZ", None)
OPTIONS = ((), ("2VR",), ("3AC", "6AE"))

FACTS = [
    VehicleFacts(series, year, engine, fuel, transmission, options)
    for series, year, (engine, fuel), transmission, options in itertools.product(
        SERIES, YEARS, ENGINES, TRANSMISSIONS, OPTIONS
    )
] + [VehicleFacts(series=None, model_year=None), VehicleFacts(series="G20", model_year=2021)]


def _document(document_id: str, rule: Applicability) -> ContentDocument:
    return ContentDocument(
        id=document_id,
        type=DocumentType.REPAIR_INSTRUCTION,
        title=document_id,
        summary=document_id,
        body="## Steps\n1. Do it.",
        applicability=rule,
        language=Language.EN,
    )


async def test_sql_and_domain_applicability_agree_on_every_vehicle(database_url: str) -> None:
    database = Database(database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            await DocumentRepository(session).upsert(
                [_document(i, rule) for i, rule in RULES.items()], now=datetime.now(UTC)
            )
        disagreements = []
        async with database.transaction() as session:
            for facts in FACTS:
                stored = set(
                    (
                        await session.execute(
                            select(Document.id).where(Document.id.in_(RULES), applicable_to(facts))
                        )
                    ).scalars()
                )
                expected = {i for i, rule in RULES.items() if rule.applies(facts)}
                if stored != expected:
                    disagreements.append((facts, stored ^ expected))
    finally:
        await database.dispose()

    assert disagreements == []
    # The matrix is not trivial: each rule matches some vehicle and misses another.
    for document_id, rule in RULES.items():
        outcomes = {rule.applies(facts) for facts in FACTS}
        assert outcomes == {True, False} or document_id == "all", document_id
