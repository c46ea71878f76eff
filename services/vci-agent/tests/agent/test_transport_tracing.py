import pytest

from vci_agent.transport.tracing import describe_request


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (b"\x10\x02", (0x10, 0x02, 0)),
        (b"\x3e\x80", (0x3E, 0x00, 0)),
        (b"\x27\x11", (0x27, 0x11, 0)),
        (b"\x22\xf1\x90", (0x22, 0xF190, 0)),
        (b"\x2e\xf1\x98" + bytes(10), (0x2E, 0xF198, 0)),
        (b"\x31\x01\xff\x00\x44", (0x31, 0xFF00, 0)),
        (b"\x36\x2a" + bytes(100), (0x36, 0, 0x2A)),
        (b"\x37", (0x37, 0, 0)),
    ],
)
def test_describe_request_extracts_service_identifier_and_counter(
    request_bytes: bytes, expected: tuple[int, int, int]
) -> None:
    assert describe_request(request_bytes) == expected
