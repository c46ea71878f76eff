"""Versions, VINs, ranges and the demo catalog."""

from __future__ import annotations

import hashlib

import pytest

from aos_contracts.demo import DEMO_ECUS
from aos_contracts.keys import key_algorithm
from programming.domain.images import DEMO_ECU_TYPES, DEMO_RELEASES, DEMO_TARGETS, demo_payload
from programming.domain.ranges import (
    RangeNotSatisfiable,
    none_match,
    parse_range,
    range_still_applies,
    requested_range,
)
from programming.domain.versions import is_older, version_key
from programming.domain.vin import is_valid_vin, model_series


def test_versions_compare_numerically_not_as_text() -> None:
    assert is_older("1.9.0", "1.10.0")
    assert not is_older("1.10.0", "1.9.0")
    assert not is_older("1.1.0", "1.1.0")


def test_pre_release_is_older_than_its_release() -> None:
    assert is_older("1.1.0-rc1", "1.1.0")


def test_unreadable_installed_version_counts_as_older() -> None:
    assert is_older("garbage", "1.0.0")


def test_malformed_version_key_raises() -> None:
    with pytest.raises(ValueError, match="semantic version"):
        version_key("1.0")


def test_demo_vin_maps_to_g20() -> None:
    assert model_series("WBA5F3103MFX12345") == "G20"


def test_unknown_type_code_has_no_series() -> None:
    assert model_series("WBAZZZZ03MFX12345") is None


def test_vin_with_letter_o_is_invalid() -> None:
    assert not is_valid_vin("WBA5F3103MFO12345")
    assert model_series("WBA5F3103MFO12345") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=90-500", (90, 99)),
        ("bytes=-500", (0, 99)),
    ],
)
def test_parse_range_accepts_single_byte_ranges(header: str, expected: tuple[int, int]) -> None:
    assert parse_range(header, size=100) == expected


@pytest.mark.parametrize(
    "header", ["bytes=100-", "bytes=5-2", "bytes=-0", "bytes=0-1,5-6", "items=0-1", "bytes=-"]
)
def test_parse_range_refuses_unsatisfiable_or_unsupported(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size=100)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=10-", (10, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=-500", (0, 99)),
        ("bytes=90-500", (90, 99)),
        ("Bytes = 5-6", (5, 6)),
        ("bytes=5-2", None),  # last before first: not a valid range, ignored
        ("bytes=0-1,5-6", None),  # several ranges: ignored, the whole file is sent
        ("items=0-1", None),
        ("bytes=-", None),
        ("bytes=x-", None),
    ],
)
def test_requested_range_ignores_what_rfc_9110_lets_a_server_ignore(
    header: str | None, expected: tuple[int, int] | None
) -> None:
    assert requested_range(header, size=100) == expected


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=-5", 0)]
)
def test_requested_range_past_the_end_is_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        requested_range(header, size=size)


def test_if_none_match_compares_tags_weakly_and_takes_a_star() -> None:
    assert none_match('"abc"', etag="abc")
    assert none_match('"x", W/"abc"', etag="abc")
    assert none_match("*", etag="abc")
    assert not none_match('"abcd"', etag="abc")
    assert not none_match("abc", etag="abc")  # not quoted: not an entity tag
    assert not none_match(None, etag="abc")


def test_if_range_holds_only_for_the_current_strong_tag() -> None:
    assert range_still_applies(None, etag="abc")
    assert range_still_applies('"abc"', etag="abc")
    assert not range_still_applies('W/"abc"', etag="abc")
    assert not range_still_applies('"old"', etag="abc")
    assert not range_still_applies("Fri, 04 Dec 2026 06:00:00 GMT", etag="abc")


def test_demo_payload_is_deterministic_and_depends_on_the_version() -> None:
    first = demo_payload("DME_B48", "1.1.0", size=1000)
    assert first == demo_payload("DME_B48", "1.1.0", size=1000)
    assert first != demo_payload("DME_B48", "1.0.0", size=1000)
    assert first[:32] == hashlib.sha256(b"DME_B48:1.1.0" + bytes(8)).digest()


def test_demo_secrets_are_16_bytes() -> None:
    assert all(len(bytes.fromhex(ecu.secret_hex)) == 16 for ecu in DEMO_ECU_TYPES)


def test_demo_ecu_types_are_the_demo_vehicles_ecus() -> None:
    assert [(t.key, t.memory_address, t.region_size, t.secret_hex) for t in DEMO_ECU_TYPES] == [
        (e.ecu_type, e.region_address, e.region_size, e.secret.hex()) for e in DEMO_ECUS
    ]
    assert all(key_algorithm(t.security_algorithm) for t in DEMO_ECU_TYPES)


def test_every_demo_release_and_target_has_a_demo_ecu_type() -> None:
    keys = {t.key for t in DEMO_ECU_TYPES}
    assert {r.ecu_type for r in DEMO_RELEASES} <= keys
    assert all(set(targets) <= keys for targets in DEMO_TARGETS.values())
