"""The entity's answers to vehicle identification datagrams, as exact bytes."""

import struct

import pytest

from vehicle_sim.doip.discovery import EntityIdentity, IdentificationResponder

EID = bytes.fromhex("02aabbccddee")
GID = bytes.fromhex("02aabbcc0000")
IDENTITY = EntityIdentity(vin="WBA5F3103MFX12345", logical_address=0x0010, eid=EID, gid=GID)
RESPONSE_PAYLOAD = b"WBA5F3103MFX12345" + b"\x00\x10" + EID + GID + b"\x00\x00"


def _frame(version: int, payload_type: int, payload: bytes, length: int | None = None) -> bytes:
    size = len(payload) if length is None else length
    return struct.pack(">BBHI", version, version ^ 0xFF, payload_type, size) + payload


def _responder(powered: bool = True) -> IdentificationResponder:
    return IdentificationResponder(IDENTITY, powered=lambda: powered)


@pytest.mark.parametrize(
    ("request_version", "answer_version"), [(0x02, 0x02), (0x03, 0x03), (0xFF, 0x02)]
)
def test_identification_request_is_answered_with_vin_address_eid_and_gid(
    request_version: int, answer_version: int
) -> None:
    answer = _responder().answer(_frame(request_version, 0x0001, b""))

    assert answer == _frame(answer_version, 0x0004, RESPONSE_PAYLOAD)


def test_request_with_the_entitys_eid_or_vin_is_answered_and_others_are_not() -> None:
    responder = _responder()

    assert responder.answer(_frame(2, 0x0002, EID)) == _frame(2, 0x0004, RESPONSE_PAYLOAD)
    assert responder.answer(_frame(2, 0x0003, b"WBA5F3103MFX12345")) == _frame(
        2, 0x0004, RESPONSE_PAYLOAD
    )
    assert responder.answer(_frame(2, 0x0002, bytes(6))) is None
    assert responder.answer(_frame(2, 0x0003, b"WVWZZZ1JZXW000001")) is None


def test_wrong_payload_length_gets_nack_invalid_length() -> None:
    responder = _responder()

    assert responder.answer(_frame(2, 0x0001, b"\x00")) == _frame(2, 0x0000, b"\x04")
    assert responder.answer(_frame(2, 0x0002, EID, length=7)) == _frame(2, 0x0000, b"\x04")


def test_unknown_payload_type_gets_nack_unknown_type() -> None:
    assert _responder().answer(_frame(2, 0x4001, b"")) == _frame(2, 0x0000, b"\x01")


def test_bad_version_pattern_gets_nack_incorrect_pattern() -> None:
    bad = b"\x02\x02\x00\x01\x00\x00\x00\x00"

    assert _responder().answer(bad) == _frame(2, 0x0000, b"\x00")


def test_a_datagram_shorter_than_a_header_is_ignored() -> None:
    assert _responder().answer(b"\x02\xfd\x00") is None
