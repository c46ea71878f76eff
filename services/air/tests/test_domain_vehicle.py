"""The vehicle behind a VIN (the shipped vehicle tables): coverage, facts and the documents of
the shipped pack that apply. No database."""

from __future__ import annotations

import json
from datetime import date
from importlib.resources import files
from typing import Any

import pytest

from air.content import load_pack
from air.domain.content import ContentPackError, FuelType, Language, VehicleFacts
from air.domain.vehicle import Coverage, Drive, Vehicle, identify_vehicle, parse_vehicle_catalog
from air.domain.vin import decode_vin

PACK = load_pack()
TODAY = date(2025, 6, 1)
VIN_330I = "WBA5F3103MFX12345"  # G20 330i (B48 petrol), model year 2021: the demo car
VIN_320D = "WBA5F7102MFX54321"  # G20 320d (B47 diesel), model year 2021
VIN_320I_MANUAL = "WBA5F1106MFX23456"
VIN_X5_30D = "5UXCV6109L9B12345"  # G05 with air suspension (2VR)
VIN_X5_40I = "5UXCV2108L9B12345"  # G05 on steel springs
VIN_IX1 = "WBA11DS08PF000001"  # U11 battery electric
VIN_VW = "WVWZZZ1JZ3W386752"
VIN_UNKNOWN_TYPE = "WBA9Z9900KFH12345"


def vehicle(vin: str) -> Vehicle:
    return identify_vehicle(decode_vin(vin, today=TODAY), PACK.vehicles)


def applicable(vin: str) -> set[str]:
    facts = vehicle(vin).facts()
    return {
        doc.id
        for doc in PACK.in_language(Language.EN)
        if facts is not None and doc.applicability.applies(facts)
    }


def test_the_demo_330i_is_decoded_to_its_full_record() -> None:
    car = vehicle(VIN_330I)

    assert car.coverage is Coverage.COVERED
    assert (car.make, car.series, car.model, car.model_year) == ("BMW", "G20", "330i", 2021)
    kind = car.vehicle_type
    assert kind is not None
    assert (kind.engine.code, kind.engine.family, kind.engine.cylinders) == ("B48B20", "B48", 4)
    assert (kind.engine.displacement_ccm, kind.power_kw, kind.fuel_type) == (
        1998,
        190,
        FuelType.PETROL,
    )
    assert (kind.transmission.code, kind.drive) == ("GA8HP", Drive.RWD)
    assert car.plant == "Regensburg, Germany"
    assert car.facts() == VehicleFacts(
        series="G20",
        model_year=2021,
        engine_code="B48",
        fuel_type=FuelType.PETROL,
        transmission="GA8HP",
        option_codes=("508", "534", "6AE"),
    )


def test_the_vins_the_other_services_use_keep_their_series_and_model() -> None:
    assert (vehicle("WBA6K5105MFK54321").series, vehicle("WBA6K5105MFK54321").model) == (
        "G21",
        "320d Touring",
    )
    assert (vehicle(VIN_X5_30D).series, vehicle(VIN_X5_30D).model) == ("G05", "X5 xDrive30d")
    assert vehicle("WBAJR110XHWX00001").model == "520d"


def test_a_manual_320i_has_the_manual_transmission() -> None:
    kind = vehicle(VIN_320I_MANUAL).vehicle_type

    assert kind is not None and kind.transmission.code == "GS6-45BZ"
    assert "manual" in kind.transmission.description


def test_the_330i_gets_the_b48_petrol_oil_service_and_not_the_b47_one() -> None:
    ids = applicable(VIN_330I)

    assert {"ri-b48-engine-oil-service", "ri-b48-spark-plugs"} <= ids
    assert "ri-b47-engine-oil-service" not in ids


def test_the_320d_gets_the_b47_diesel_oil_service_and_no_spark_plugs() -> None:
    ids = applicable(VIN_320D)

    assert "ri-b47-engine-oil-service" in ids
    assert not {"ri-b48-engine-oil-service", "ri-b48-spark-plugs"} & ids


def test_the_six_cylinder_petrol_gets_its_own_oil_service() -> None:
    ids = applicable("WBA5F9106MFX00001")  # G20 M340i xDrive, B58

    assert "ri-b58-engine-oil-service" in ids
    assert not {"ri-b48-engine-oil-service", "ri-b47-engine-oil-service"} & ids


def test_air_suspension_documents_need_the_air_suspension_option() -> None:
    air = {
        "ri-g05-rear-air-spring",
        "wd-g05-air-suspension-compressor",
        "tb-g05-2020-004-lowers-overnight",
    }

    assert air <= applicable(VIN_X5_30D)
    assert not air & applicable(VIN_X5_40I)


def test_high_voltage_documents_apply_to_the_electric_car_only() -> None:
    assert "ri-u11-high-voltage-deenergise" in applicable(VIN_IX1)
    assert not {"ri-b48-engine-oil-service", "ri-b47-engine-oil-service"} & applicable(VIN_IX1)
    assert "ri-u11-high-voltage-deenergise" not in applicable(VIN_330I)


def test_another_makers_vin_is_not_covered_and_nothing_applies() -> None:
    car = vehicle(VIN_VW)

    assert car.coverage is Coverage.NOT_COVERED
    assert (car.make, car.series, car.vehicle_type, car.plant) == ("Volkswagen", None, None, None)
    assert car.coverage_note.startswith(
        "This portal covers BMW vehicles; Volkswagen repair and maintenance information is on "
        "that maker's own RMI portal."
    )
    assert car.facts() is None
    assert applicable(VIN_VW) == set()


def test_a_bmw_vin_with_an_unknown_type_code_is_an_unknown_vehicle_with_what_is_known() -> None:
    car = vehicle(VIN_UNKNOWN_TYPE)

    assert car.coverage is Coverage.UNKNOWN_VEHICLE
    assert (car.make, car.model_year, car.plant) == ("BMW", 2019, "Regensburg, Germany")
    assert car.vehicle_type is None
    assert "9Z99" in car.coverage_note
    assert any("Type code 9Z99" in note for note in car.notes)
    assert car.facts() == VehicleFacts(series=None, model_year=2019)
    # Only documents for all series that set no other condition apply.
    assert applicable(VIN_UNKNOWN_TYPE) == {
        doc.id
        for doc in PACK.in_language(Language.EN)
        if doc.applicability.all_series
        and not doc.applicability.engine_codes
        and not doc.applicability.fuel_types
        and not doc.applicability.transmissions
        and not doc.applicability.option_codes
    }
    assert "ri-all-12v-battery-replace-register" in applicable(VIN_UNKNOWN_TYPE)
    assert "ri-b48-engine-oil-service" not in applicable(VIN_UNKNOWN_TYPE)


def test_an_unknown_plant_code_is_reported() -> None:
    car = vehicle("WBA5F3103MZX12345")

    assert car.plant is None
    assert "Plant code Z (position 11) is not in the plant table." in car.notes


def _tables(**overrides: Any) -> dict[str, Any]:
    """The shipped vehicle tables, with ``overrides``."""
    raw = json.loads(files("air.content").joinpath("vehicles.json").read_text(encoding="utf-8"))
    raw.update(overrides)
    return raw


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"wmis": ["WB"]}, "'wmis' must list 3-character WMIs"),
        ({"plants": {"AB": "Munich"}}, "'plants' must map a VIN character"),
        ({"engines": "B48"}, "'engines' must be a list of objects"),
        (
            {"options": [{"code": "2VR", "description": "x"}, {"code": "2VR", "description": "y"}]},
            "option '2VR': listed twice",
        ),
    ],
)
def test_broken_vehicle_tables_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ContentPackError, match=message):
        parse_vehicle_catalog(_tables(**overrides))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("options", ["XYZ"], "option 'XYZ' is not in the option table"),
        ("transmission", "GA9", "transmission 'GA9' is not in the transmission table"),
        ("fuel_type", "steam", "unknown fuel type or drive"),
        ("code", "5F3", "not 4 VIN characters"),
        ("power_kw", 0, "'power_kw' must be a positive integer"),
    ],
)
def test_a_broken_type_code_row_is_refused(field: str, value: object, message: str) -> None:
    raw = _tables()
    raw["type_codes"][0][field] = value

    with pytest.raises(ContentPackError, match=message):
        parse_vehicle_catalog(raw)


def test_a_vin_of_an_unassigned_wmi_is_not_covered_and_says_so() -> None:
    car = vehicle("ZZZ5F3100KFH12345")

    assert car.coverage is Coverage.NOT_COVERED
    assert car.make is None
    assert "the maker of WMI ZZZ" in car.coverage_note
    assert car.facts() is None
