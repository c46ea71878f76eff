"""The agent's ``flash`` command against an ECU that is not ours: scapy's ``EcuAnsweringMachine``
(its own UDS layer, ISO-TP soft sockets on python-can's ``virtual`` bus), configured with
response rules for the flash sequence. The ECU side records what arrived in TransferData."""

from __future__ import annotations

import hashlib
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from scapy.config import conf
from scapy.packet import Packet, Raw
from scapy.sendrecv import AsyncSniffer

conf.contribs["ISOTP"] = {"use-can-isotp-kernel-module": False}

# Registers how UDS answers change the machine's EcuState (session, security level).
from scapy.contrib.automotive import uds_ecu_states  # noqa: E402, F401
from scapy.contrib.automotive.ecu import EcuAnsweringMachine, EcuResponse  # noqa: E402
from scapy.contrib.automotive.uds import (  # noqa: E402
    UDS,
    UDS_CCPR,
    UDS_CDTCSPR,
    UDS_DSCPR,
    UDS_ERPR,
    UDS_NR,
    UDS_RC,
    UDS_RCPR,
    UDS_RDBIPR,
    UDS_RDPR,
    UDS_RTEPR,
    UDS_SAPR,
    UDS_TD,
    UDS_TDPR,
    UDS_WDBIPR,
)
from scapy.contrib.cansocket_python_can import PythonCANSocket  # noqa: E402
from scapy.contrib.isotp.isotp_soft_socket import ISOTPSoftSocket  # noqa: E402

from vci_agent.cli import main  # noqa: E402

ECU = 0x0012
REQUEST_ID, RESPONSE_ID = 0x7E0, 0x7E8
SECRET = bytes.fromhex("00112233445566778899aabbccddeeff")
SEED = bytes.fromhex("5a3c9e01")
# AOS-DEMO-1 as documented: SHA-256(secret + requestSeed level + seed), first 4 bytes.
KEY = hashlib.sha256(SECRET + bytes([0x11]) + SEED).digest()[:4]
BLOCK_LENGTH = 512 + 2  # maxNumberOfBlockLength: SID, counter and 512 data bytes
NEW_VERSION = b"7.3.0"


@dataclass
class ThirdPartyEcu:
    """What the scapy ECU accepted: TransferData blocks (counter, data) and routine requests."""

    blocks: list[tuple[int, bytes]] = field(default_factory=list)
    routines: list[int] = field(default_factory=list)

    def received(self) -> bytes:
        return b"".join(data for _, data in self.blocks)


def _rules(ecu: ThirdPartyEcu, state: Callable[[], Any], crc: bytes) -> list[EcuResponse]:
    """Response rules in the order the answering machine tries them (first fit wins; anything
    else gets its default, NRC 0x10 generalReject)."""

    def unlocked() -> bool:
        current = state()
        return (
            getattr(current, "session", None) == 2
            and getattr(current, "security_level", None) == 0x12
        )

    def when_unlocked(response: Packet, request: Packet) -> bool:
        return unlocked() and bool(response.answers(request))

    def transfer(response: Packet, request: Packet) -> bool:
        if not when_unlocked(response, request):
            return False
        block = request[UDS_TD]
        ecu.blocks.append((block.blockSequenceCounter, bytes(block.transferRequestParameterRecord)))
        return True

    def routine(identifier: int, *, record: bytes | None = None) -> Callable[..., bool]:
        def answers(response: Packet, request: Packet) -> bool:
            if UDS_RC not in request or not unlocked():
                return False
            rc = request[UDS_RC]
            if (rc.routineControlType, rc.routineIdentifier) != (1, identifier):
                return False
            if record is not None and bytes(rc.payload) != record:
                return False
            ecu.routines.append(identifier)
            return True

        return answers

    def routine_answer(identifier: int, status: int) -> Packet:
        return (
            UDS()
            / UDS_RCPR(routineControlType=1, routineIdentifier=identifier)
            / Raw(bytes([status]))
        )

    return [
        # 22 0120 battery voltage (13.8 V in millivolts), F189 software version
        EcuResponse(responses=UDS() / UDS_RDBIPR(dataIdentifier=0x0120) / Raw(b"\x35\xe8")),
        EcuResponse(responses=UDS() / UDS_RDBIPR(dataIdentifier=0xF189) / Raw(NEW_VERSION)),
        # 10 03 / 10 02 with P2 50 ms and P2* 5 s
        EcuResponse(
            responses=UDS()
            / UDS_DSCPR(diagnosticSessionType=3, sessionParameterRecord=b"\x00\x32\x01\xf4")
        ),
        EcuResponse(
            responses=UDS()
            / UDS_DSCPR(diagnosticSessionType=2, sessionParameterRecord=b"\x00\x32\x01\xf4")
        ),
        EcuResponse(responses=UDS() / UDS_CDTCSPR(DTCSettingType=2)),
        EcuResponse(responses=UDS() / UDS_CCPR(controlType=3)),
        # 27 11 seed; 27 12 with the right key unlocks (scapy checks the key), any other: 0x35
        EcuResponse(responses=UDS() / UDS_SAPR(securityAccessType=0x11, securitySeed=SEED)),
        EcuResponse(responses=UDS() / UDS_SAPR(securityAccessType=0x12), security_key=KEY),
        EcuResponse(
            responses=UDS() / UDS_NR(requestServiceId=0x27, negativeResponseCode=0x35),
            answers=lambda response, request: bytes(request)[:2] == b"\x27\x12",
        ),
        # Only when unlocked: fingerprint, erase, download, transfer, exit, checks
        EcuResponse(responses=UDS() / UDS_WDBIPR(dataIdentifier=0xF198), answers=when_unlocked),
        EcuResponse(responses=UDS() / UDS_WDBIPR(dataIdentifier=0xF199), answers=when_unlocked),
        EcuResponse(responses=routine_answer(0xFF00, 0x00), answers=routine(0xFF00)),
        EcuResponse(
            responses=UDS()
            / UDS_RDPR(memorySizeLen=2, maxNumberOfBlockLength=BLOCK_LENGTH.to_bytes(2, "big")),
            answers=when_unlocked,
        ),
        *(
            EcuResponse(responses=UDS() / UDS_TDPR(blockSequenceCounter=counter), answers=transfer)
            for counter in range(256)
        ),
        EcuResponse(responses=UDS() / UDS_RTEPR(), answers=when_unlocked),
        # Check memory answers "correct" (0x00) only for the CRC-32 of the image sent
        EcuResponse(responses=routine_answer(0x0202, 0x00), answers=routine(0x0202, record=crc)),
        EcuResponse(responses=routine_answer(0x0202, 0x01), answers=routine(0x0202)),
        EcuResponse(responses=routine_answer(0xFF01, 0x00), answers=routine(0xFF01)),
        EcuResponse(responses=UDS() / UDS_ERPR(resetType=1)),
    ]


@pytest.fixture
def image(signed_image_factory: Any, release_key: Any) -> Any:
    # 20 blocks of 512 bytes and a short last one: small enough for ISO-TP on a polled bus.
    return signed_image_factory(release_key, version=NEW_VERSION.decode(), payload_size=10_000)


@pytest.fixture
def channel() -> str:
    return f"scapy-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def third_party_ecu(channel: str, image: Any) -> Iterator[ThirdPartyEcu]:
    ecu = ThirdPartyEcu()
    can_socket = PythonCANSocket(interface="virtual", channel=channel)
    isotp_socket = ISOTPSoftSocket(
        can_socket, tx_id=RESPONSE_ID, rx_id=REQUEST_ID, padding=True, basecls=UDS
    )
    holder: list[EcuAnsweringMachine] = []
    machine = EcuAnsweringMachine(
        supported_responses=_rules(
            ecu, lambda: holder[0].state, zlib.crc32(image.data).to_bytes(4, "big")
        ),
        main_socket=isotp_socket,
        basecls=UDS,
        verbose=False,
    )
    holder.append(machine)
    # machine.bg() would pass the machine's sniff timeout (None) to AsyncSniffer, which refuses
    # any timeout; so the sniffer that feeds the machine's reply() is started here instead.
    sniffer = AsyncSniffer(opened_socket=[isotp_socket], prn=machine.reply, store=False)
    sniffer.start()
    try:
        yield ecu
    finally:
        sniffer.stop()
        isotp_socket.close()
        can_socket.close()


def _argv(tmp_path: Path, channel: str, image: Any, *, secret: bytes = SECRET) -> list[str]:
    (tmp_path / "ecu.img").write_bytes(image.data)
    (tmp_path / "ecu.sig").write_bytes(image.signature)
    (tmp_path / "release.pem").write_bytes(
        image.public_key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    return [
        "--state-dir",
        str(tmp_path / "state"),
        "flash",
        "--interface",
        "virtual",
        "--channel",
        channel,
        "--ecu",
        "0x12",
        "--can-id",
        f"0x12=0x{REQUEST_ID:X}:0x{RESPONSE_ID:X}",
        "--image",
        str(tmp_path / "ecu.img"),
        "--signature",
        str(tmp_path / "ecu.sig"),
        "--public-key",
        str(tmp_path / "release.pem"),
        "--secret",
        secret.hex(),
        "--address",
        "0x00080000",
        "--erase-size",
        "0x00100000",
        # scapy's soft sockets poll the virtual bus from threads: slower than a real ECU.
        "--p2",
        "3",
    ]


def test_flash_command_installs_the_image_on_scapys_ecu_simulator(
    tmp_path: Path,
    channel: str,
    third_party_ecu: ThirdPartyEcu,
    image: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(_argv(tmp_path, channel, image))

    assert code == 0, capsys.readouterr().err
    assert f"now runs {NEW_VERSION.decode()}" in capsys.readouterr().out
    assert third_party_ecu.received() == image.data
    counters = [counter for counter, _ in third_party_ecu.blocks]
    assert counters == [(index + 1) & 0xFF for index in range(len(counters))]
    assert third_party_ecu.routines == [0xFF00, 0x0202, 0xFF01]


def test_a_key_from_the_wrong_secret_is_refused_by_scapys_ecu_and_nothing_is_written(
    tmp_path: Path,
    channel: str,
    third_party_ecu: ThirdPartyEcu,
    image: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(_argv(tmp_path, channel, image, secret=bytes(16)))

    assert code == 1
    assert "NRC 0x35" in capsys.readouterr().err
    assert (third_party_ecu.blocks, third_party_ecu.routines) == ([], [])
