"""The built-in demo vehicle and the JSON config file."""

import json
from pathlib import Path

import pytest

from vehicle_sim.config import ConfigError, demo_vehicle, load_config
from vehicle_sim.security import DEV_SECRETS


def test_demo_vehicle_matches_the_programming_catalog() -> None:
    vehicle = demo_vehicle()
    assert (vehicle.vin, vehicle.logical_address) == ("WBA5F3103MFX12345", 0x0010)
    assert [(e.logical_address, e.name, e.ecu_type, e.version) for e in vehicle.ecus] == [
        (0x0012, "DME", "DME_B48", "1.0.0"),
        (0x0040, "BDC", "BDC_G20", "2.3.0"),
        (0x0063, "HU", "HU_MGU", "5.0.1"),
    ]
    assert [(e.region_address, e.region_size) for e in vehicle.ecus] == [
        (0x00080000, 0x00100000),
        (0x00020000, 0x00080000),
        (0x01000000, 0x00200000),
    ]
    assert all(e.secret == DEV_SECRETS[e.ecu_type] for e in vehicle.ecus)


def _write(tmp_path: Path, raw: object) -> Path:
    path = tmp_path / "vehicle.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_config_defines_ecus_secrets_block_size_and_faults(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "vin": "WVWZZZ1KZAW000001",
            "max_block_length": 65538,
            "ecus": [
                {
                    "logical_address": "0x0701",
                    "ecu_type": "ECM_X",
                    "version": "3.0",
                    "region_address": "0x1000",
                    "region_size": 4096,
                    "secret_hex": "00" * 16,
                }
            ],
            "faults": [{"kind": "drop", "block": 3}],
        },
    )
    vehicle, faults = load_config(path)
    ecu = vehicle.ecus[0]
    assert (vehicle.vin, ecu.logical_address, ecu.ecu_type, ecu.region_size) == (
        "WVWZZZ1KZAW000001",
        0x0701,
        "ECM_X",
        4096,
    )
    assert (ecu.secret, ecu.max_block_length) == (bytes(16), 65538)
    assert faults == [{"kind": "drop", "block": 3}]


def test_config_without_ecus_uses_demo_vehicle_with_its_block_size(tmp_path: Path) -> None:
    vehicle, _ = load_config(_write(tmp_path, {"max_block_length": 1026}))
    assert [e.name for e in vehicle.ecus] == ["DME", "BDC", "HU"]
    assert {e.max_block_length for e in vehicle.ecus} == {1026}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "JSON object"),
        ({"vin": "SHORT"}, "vin"),
        ({"ecus": [{"ecu_type": "DME_B48"}]}, "missing the field"),
        (
            {
                "ecus": [
                    {
                        "logical_address": 1,
                        "ecu_type": "NEW",
                        "version": "1",
                        "region_address": 0,
                        "region_size": 16,
                    }
                ]
            },
            "secret_hex",
        ),
        (
            {
                "ecus": [
                    {
                        "logical_address": "zz",
                        "ecu_type": "DME_B48",
                        "version": "1",
                        "region_address": 0,
                        "region_size": 16,
                    }
                ]
            },
            "logical_address",
        ),
        ({"max_block_length": 2}, "max_block_length"),
    ],
)
def test_invalid_config_is_refused_with_a_clear_message(
    tmp_path: Path, raw: object, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, raw))


def test_malformed_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(path)


def _one_ecu(**fields: object) -> dict[str, object]:
    ecu = {
        "logical_address": "0x0012",
        "ecu_type": "DME_B48",
        "version": "1.0.0",
        "region_address": "0x80000",
        "region_size": 4096,
    }
    ecu.update(fields)
    return {"ecus": [ecu]}


def test_an_ecu_uses_aos_demo_1_unless_its_config_names_another_algorithm(tmp_path: Path) -> None:
    default, _ = load_config(_write(tmp_path, _one_ecu()))
    named, _ = load_config(_write(tmp_path, _one_ecu(security_algorithm="aos-demo-2")))

    assert default.ecus[0].security_algorithm == "AOS-DEMO-1"
    assert named.ecus[0].security_algorithm == "AOS-DEMO-2"


def test_an_unknown_security_algorithm_is_a_config_error_naming_the_known_ones(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, _one_ecu(security_algorithm="ROT13"))

    with pytest.raises(ConfigError, match=r"'ROT13' \(known: AOS-DEMO-1, AOS-DEMO-2\)"):
        load_config(path)
