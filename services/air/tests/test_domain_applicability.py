"""Applicability: every condition a document sets must hold; an unknown fact never satisfies a
condition that names it. One test per condition, no database."""

from __future__ import annotations

import pytest

from air.domain.content import Applicability, FuelType, VehicleFacts

# A G20 330i of model year 2021 with air suspension: every fact known.
CAR = VehicleFacts(
    series="G20",
    model_year=2021,
    engine_code="B48",
    fuel_type=FuelType.PETROL,
    transmission="GA8HP",
    option_codes=("2VR", "6AE"),
)
UNKNOWN = VehicleFacts(series=None, model_year=None)


def test_a_document_without_conditions_but_its_series_applies() -> None:
    assert Applicability(series=("G20",)).applies(CAR) is True


@pytest.mark.parametrize(("series", "applies"), [(("G20", "G21"), True), (("G05",), False)])
def test_series(series: tuple[str, ...], applies: bool) -> None:
    assert Applicability(series=series).applies(CAR) is applies


def test_all_series_applies_to_a_vehicle_of_unknown_series() -> None:
    assert Applicability(series=(), all_series=True).applies(UNKNOWN) is True
    assert Applicability(series=("G20",)).applies(UNKNOWN) is False


@pytest.mark.parametrize(
    ("year_from", "year_to", "applies"),
    [
        (2019, 2021, True),
        (2021, 2021, True),
        (2022, None, False),
        (None, 2020, False),
        (None, None, True),
    ],
)
def test_model_year_range(year_from: int | None, year_to: int | None, applies: bool) -> None:
    rule = Applicability(series=("G20",), model_year_from=year_from, model_year_to=year_to)
    assert rule.applies(CAR) is applies


@pytest.mark.parametrize(
    ("engines", "applies"), [(("B48",), True), (("B47",), False), (("B47", "B48"), True)]
)
def test_engine_codes(engines: tuple[str, ...], applies: bool) -> None:
    assert Applicability(series=("G20",), engine_codes=engines).applies(CAR) is applies


@pytest.mark.parametrize(
    ("fuels", "applies"),
    [
        ((FuelType.PETROL,), True),
        ((FuelType.DIESEL,), False),
        ((FuelType.PETROL, FuelType.PLUG_IN_HYBRID), True),
    ],
)
def test_fuel_types(fuels: tuple[FuelType, ...], applies: bool) -> None:
    assert Applicability(series=("G20",), fuel_types=fuels).applies(CAR) is applies


@pytest.mark.parametrize(("transmissions", "applies"), [(("GA8HP",), True), (("GS6-45BZ",), False)])
def test_transmissions(transmissions: tuple[str, ...], applies: bool) -> None:
    assert Applicability(series=("G20",), transmissions=transmissions).applies(CAR) is applies


@pytest.mark.parametrize(
    ("options", "applies"),
    [(("2VR",), True), (("3AC",), False), (("3AC", "2VR"), True)],
)
def test_option_codes_need_at_least_one(options: tuple[str, ...], applies: bool) -> None:
    assert Applicability(series=("G20",), option_codes=options).applies(CAR) is applies


@pytest.mark.parametrize(
    "rule",
    [
        Applicability(series=(), all_series=True, engine_codes=("B48",)),
        Applicability(series=(), all_series=True, fuel_types=(FuelType.PETROL,)),
        Applicability(series=(), all_series=True, transmissions=("GA8HP",)),
        Applicability(series=(), all_series=True, option_codes=("2VR",)),
    ],
)
def test_an_unknown_fact_never_satisfies_a_condition_that_names_it(rule: Applicability) -> None:
    assert rule.applies(UNKNOWN) is False
    assert rule.applies(CAR) is True


def test_an_unknown_model_year_satisfies_no_range_but_is_not_refused() -> None:
    # The year code may be missing from a VIN; the range is not held against the vehicle.
    rule = Applicability(series=("G20",), model_year_from=2019, model_year_to=2021)
    assert rule.applies(VehicleFacts(series="G20", model_year=None)) is True


def test_every_condition_must_hold() -> None:
    rule = Applicability(
        series=("G20",),
        model_year_from=2019,
        engine_codes=("B48",),
        fuel_types=(FuelType.PETROL,),
        transmissions=("GA8HP",),
        option_codes=("2VR",),
    )

    assert rule.applies(CAR) is True
    # Any one fact that fails a condition is enough to exclude the document.
    for wrong in (
        VehicleFacts("G21", 2021, "B48", FuelType.PETROL, "GA8HP", ("2VR",)),
        VehicleFacts("G20", 2018, "B48", FuelType.PETROL, "GA8HP", ("2VR",)),
        VehicleFacts("G20", 2021, "B47", FuelType.PETROL, "GA8HP", ("2VR",)),
        VehicleFacts("G20", 2021, "B48", FuelType.DIESEL, "GA8HP", ("2VR",)),
        VehicleFacts("G20", 2021, "B48", FuelType.PETROL, "GS6-45BZ", ("2VR",)),
        VehicleFacts("G20", 2021, "B48", FuelType.PETROL, "GA8HP", ()),
    ):
        assert rule.applies(wrong) is False, wrong
