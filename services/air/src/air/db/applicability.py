"""Applicability as SQL: the twin of ``Applicability.applies`` in the domain, for searches.

Each condition column is an array; empty sets no condition. An unknown fact of the vehicle
(None) satisfies only the documents that set no condition on it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.orm import InstrumentedAttribute

from air.db.models import Document
from air.domain.content import VehicleFacts


def _one_of(column: InstrumentedAttribute[list[str]], value: str | None) -> ColumnElement[bool]:
    """The condition in ``column`` is unset, or it lists ``value``."""
    unset = func.cardinality(column) == 0
    if value is None:
        return unset
    return or_(unset, column.contains([value]))


def applicable_to(vehicle: VehicleFacts) -> ColumnElement[bool]:
    """Rows of ``documents`` whose every condition holds for ``vehicle``."""
    series_match = (
        Document.series.contains([vehicle.series]) if vehicle.series is not None else false()
    )
    conditions = [or_(Document.all_series, series_match)]
    if vehicle.model_year is not None:
        conditions += [
            or_(Document.model_year_from.is_(None), Document.model_year_from <= vehicle.model_year),
            or_(Document.model_year_to.is_(None), Document.model_year_to >= vehicle.model_year),
        ]
    conditions += [
        _one_of(Document.engine_codes, vehicle.engine_code),
        _one_of(
            Document.fuel_types, vehicle.fuel_type.value if vehicle.fuel_type is not None else None
        ),
        _one_of(Document.transmissions, vehicle.transmission),
    ]
    options_unset = func.cardinality(Document.option_codes) == 0
    conditions.append(
        or_(options_unset, Document.option_codes.overlap(list(vehicle.option_codes)))
        if vehicle.option_codes
        else options_unset
    )
    return and_(*conditions)


__all__ = ["applicable_to"]
