from aos_contracts.aosimg import build_image
from aos_contracts.demo import DEMO_ECUS, DEMO_VIN, demo_ecu
from aos_contracts.keys import key_algorithm


def test_the_demo_vin_is_seventeen_characters() -> None:
    assert len(DEMO_VIN) == 17 and DEMO_VIN.isascii()


def test_logical_addresses_ecu_types_and_can_ids_are_unique() -> None:
    assert len({ecu.logical_address for ecu in DEMO_ECUS}) == len(DEMO_ECUS)
    assert len({ecu.ecu_type for ecu in DEMO_ECUS}) == len(DEMO_ECUS)
    can_ids = [i for ecu in DEMO_ECUS for i in (ecu.can_request_id, ecu.can_response_id)]
    assert len(set(can_ids)) == len(can_ids)


def test_every_demo_ecu_is_a_valid_doip_and_can_node() -> None:
    for ecu in DEMO_ECUS:
        assert 0x0001 <= ecu.logical_address <= 0x0DFF
        assert 0 < ecu.can_request_id <= 0x7FF and 0 < ecu.can_response_id <= 0x7FF
        assert ecu.region_size > 0 and len(ecu.secret) == 16
        key_algorithm(ecu.security_algorithm)
        build_image(ecu.ecu_type, ecu.factory_version, b"")


def test_demo_ecu_finds_by_type() -> None:
    dme = demo_ecu("DME_B48")
    assert dme is not None and (dme.logical_address, dme.can_request_id) == (0x0012, 0x712)
    assert demo_ecu("NOPE") is None
