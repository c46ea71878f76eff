"""The J2534 binding's real ctypes calls, into a fake pass-thru library (C, built for the
session) that bridges ISO15765 to the simulator's DoIP port; the flasher's battery check
through READ_VBATT; the library's path from the Windows registry (platform switched, registry
faked)."""

from __future__ import annotations

import ctypes
import ctypes.util
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from udsoncan.exceptions import TimeoutException

from vci_agent.flash import Flasher, FlashOptions, FlashRefusedError
from vci_agent.image import verify_image
from vci_agent.journal import JobResultState, Journal, JournalEntry
from vci_agent.keys import local_key_provider
from vci_agent.platform import PassThruRegistration, installed_passthru_devices
from vci_agent.transport.j2534 import (
    DATA_RATE,
    START_OF_MESSAGE,
    TX_DONE,
    J2534Connection,
    J2534Connector,
    J2534Device,
    J2534Error,
    J2534LibraryError,
    PassThruLibrary,
    PassThruMsg,
    Status,
)
from vci_agent.transport.options import DEMO_CAN_IDS, j2534_library_path
from vci_agent.transport.tracing import TraceRecord
from vci_agent.uds import UdsTiming
from vehicle_sim.security import DEV_SECRETS
from vehicle_sim.testing import RunningVehicle, running_vehicle_in_thread

DME = 0x0012
VIN = b"WBA5F3103MFX12345"
ROUTES = "0x712:0x0012,0x740:0x0040,0x763:0x0063"


def _point_at(monkeypatch: pytest.MonkeyPatch, sim: RunningVehicle) -> None:
    monkeypatch.setenv("AOS_FAKE_J2534_DOIP", f"{sim.host}:{sim.port}")
    monkeypatch.setenv("AOS_FAKE_J2534_ROUTES", ROUTES)


@pytest.fixture
def sim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningVehicle]:
    with running_vehicle_in_thread(tmp_path / "sim") as vehicle:
        _point_at(monkeypatch, vehicle)
        yield vehicle


@pytest.fixture
def device(fake_j2534_library: Path, sim: RunningVehicle) -> Iterator[J2534Device]:
    opened = J2534Device.open(fake_j2534_library, baudrate=500_000)
    try:
        yield opened
    finally:
        opened.close()


def _collect(device: J2534Device, count: int) -> list[tuple[int, int, bytes]]:
    """(RxStatus, CAN id, payload) of the next ``count`` messages, indications included."""
    seen: list[tuple[int, int, bytes]] = []
    for _ in range(20):
        for message in device.read_messages(200):
            data = bytes(message.Data[: message.DataSize])
            seen.append((message.RxStatus, int.from_bytes(data[:4], "big"), data[4:]))
        if len(seen) >= count:
            break
    return seen


def test_the_device_reports_its_api_version_and_the_battery_in_millivolts(
    device: J2534Device,
) -> None:
    versions = device.versions()

    assert versions.api == "04.04"
    assert versions.dll == "aos-fake 0.1"
    assert device.battery_millivolts() == 12_800  # the simulator's nominal 12.8 V


def test_a_request_through_a_flow_control_filter_is_answered_on_the_response_id(
    device: J2534Device,
) -> None:
    device.start_flow_control_filter(request_id=0x712, response_id=0x71A)

    device.write(0x712, b"\x22\xf1\x90")

    assert _collect(device, 3) == [
        (TX_DONE, 0x712, b""),
        (START_OF_MESSAGE, 0x71A, b""),
        (0, 0x71A, b"\x62\xf1\x90" + VIN),
    ]


def test_connections_to_two_ecus_share_the_channel_and_get_their_own_answers(
    device: J2534Device,
) -> None:
    connect = J2534Connector(device, DEMO_CAN_IDS)
    dme, bdc = connect(0x0012), connect(0x0040)
    try:
        dme.send(b"\x22\xf1\x90")
        bdc.send(b"\x10\x03")
        # The BDC's answer is read first; the DME's waits in its inbox meanwhile.
        bdc_answer = bdc.wait_frame(timeout=2, exception=True)
        dme_answer = dme.wait_frame(timeout=2, exception=True)
    finally:
        dme.close()
        bdc.close()

    assert bdc_answer is not None and bdc_answer[:2] == b"\x50\x03"
    assert dme_answer == b"\x62\xf1\x90" + VIN
    assert not dme.is_open() and not bdc.is_open()


def test_a_connection_without_an_answer_times_out(device: J2534Device) -> None:
    connection = J2534Connector(device, DEMO_CAN_IDS)(0x0063)
    try:
        with pytest.raises(TimeoutException, match="no answer from 0x76B"):
            connection.wait_frame(timeout=0.1, exception=True)
    finally:
        connection.close()


def test_the_data_rate_set_is_the_one_read_back(device: J2534Device) -> None:
    device.set_config({DATA_RATE: 250_000})

    assert device.get_config(DATA_RATE) == {DATA_RATE: 250_000}


def test_an_empty_receive_buffer_is_no_message_not_an_error(device: J2534Device) -> None:
    assert device.read_messages(50) == []


def test_bad_handles_and_null_parameters_raise_with_the_code_and_the_library_text(
    device: J2534Device,
) -> None:
    library = device.library

    with pytest.raises(J2534Error) as bad_channel:
        library.call("PassThruDisconnect", device.channel_id + 1)
    with pytest.raises(J2534Error) as bad_device:
        library.call("PassThruClose", device.device_id + 1)
    with pytest.raises(J2534Error) as null:
        library.call("PassThruReadMsgs", device.channel_id, None, None, 0)

    assert str(bad_channel.value) == (
        "PassThruDisconnect failed: ERR_INVALID_CHANNEL_ID (0x02): no such channel"
    )
    assert bad_device.value.status == Status.ERR_INVALID_DEVICE_ID
    assert null.value.status == Status.ERR_NULL_PARAMETER
    assert null.value.detail == "pMsg or pNumMsgs is NULL"


def test_buffer_empty_is_raised_when_not_allowed(device: J2534Device) -> None:
    messages = (PassThruMsg * 1)()
    count = ctypes.c_ulong(1)

    with pytest.raises(J2534Error, match="ERR_BUFFER_EMPTY"):
        device.library.call(
            "PassThruReadMsgs", device.channel_id, messages, ctypes.byref(count), 10
        )
    assert count.value == 0


def test_a_write_to_an_id_without_a_filter_is_refused(device: J2534Device) -> None:
    with pytest.raises(J2534Error) as refused:
        device.write(0x799, b"\x3e\x00")

    assert refused.value.status == Status.ERR_NO_FLOW_CONTROL


def test_a_message_longer_than_iso_tp_allows_is_refused_before_the_device(
    device: J2534Device,
) -> None:
    with pytest.raises(ValueError, match="1 to 4095 bytes, not 4096"):
        device.write(0x712, bytes(4096))


def test_a_second_open_of_the_same_device_is_refused(
    device: J2534Device, fake_j2534_library: Path
) -> None:
    with pytest.raises(J2534Error, match="PassThruOpen failed: ERR_DEVICE_IN_USE"):
        J2534Device.open(fake_j2534_library)


def test_a_channel_that_cannot_reach_the_vehicle_fails_and_releases_the_device(
    fake_j2534_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:  # a port nobody listens on once this socket is closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("AOS_FAKE_J2534_DOIP", f"127.0.0.1:{port}")
    monkeypatch.setenv("AOS_FAKE_J2534_ROUTES", ROUTES)

    with pytest.raises(J2534Error) as failed:
        J2534Device.open(fake_j2534_library)

    assert str(failed.value) == (
        "PassThruConnect failed: ERR_FAILED (0x07): no vehicle answers at AOS_FAKE_J2534_DOIP"
    )
    # The device was closed again: it opens (and fails the same way, not "in use").
    with pytest.raises(J2534Error, match="PassThruConnect"):
        J2534Device.open(fake_j2534_library)


def test_a_library_without_the_passthru_functions_is_not_taken_for_one() -> None:
    libc = ctypes.util.find_library("c")
    if libc is None:
        pytest.skip("no C library found to load")

    with pytest.raises(J2534LibraryError, match=r"is not a J2534 04\.04 library: it has no"):
        PassThruLibrary(libc)


def test_a_missing_library_says_what_the_agent_needs(tmp_path: Path) -> None:
    with pytest.raises(J2534LibraryError, match="needs the device's 64-bit DLL"):
        PassThruLibrary(tmp_path / "missing.so")


def test_a_low_battery_read_by_read_vbatt_refuses_the_flash(
    tmp_path: Path, fake_j2534_library: Path, signed_image: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = verify_image(
        signed_image.data, signature=signed_image.signature, public_key=signed_image.public_key
    )
    journal = Journal(tmp_path / "journal")
    trace: list[TraceRecord] = []
    with running_vehicle_in_thread(tmp_path / "sim", faults=["voltage,volts=11.8"]) as sim:
        _point_at(monkeypatch, sim)
        device = J2534Device.open(fake_j2534_library)
        try:
            connect = J2534Connector(device, DEMO_CAN_IDS)
            flasher = Flasher(
                lambda: connect(DME),
                journal,
                key_for=local_key_provider("aos-demo-1", DEV_SECRETS["DME_B48"]),
                options=FlashOptions(timing=UdsTiming(p2=1.0, p2_star=3.0, request=10.0)),
                on_trace=trace.append,
            )
            entry = journal.save(
                JournalEntry(
                    job_id=str(uuid.uuid4()),
                    ecu_logical_address=DME,
                    image_path="dme.img",
                    image_sha256=image.sha256.hex(),
                    image_size=image.size,
                    memory_address=0x00080000,
                )
            )
            with pytest.raises(FlashRefusedError, match=r"11\.80 V"):
                flasher.run(image, entry)
        finally:
            device.close()
        ecu = sim.ecu(DME)
        assert not ecu.persistent.erased and not ecu.persistent.in_bootloader

    # The interface measured the voltage: the ECU got no UDS request from the flasher.
    assert trace == []
    saved = journal.load(entry.job_id)
    assert saved.result is JobResultState.REFUSED
    assert (saved.volts_at_start, saved.volts_min, saved.volts_max) == (11.8, 11.8, 11.8)


def test_a_connection_is_a_battery_voltmeter(device: J2534Device) -> None:
    connection = J2534Connection(device, request_id=0x712, response_id=0x71A)

    assert connection.battery_volts() == 12.8


class FakeRegistry:
    """HKEY_LOCAL_MACHINE as nested dicts: a key maps names to sub-dicts (keys) or strings."""

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree

    def _key(self, path: str) -> dict[str, Any] | None:
        node: Any = self.tree
        for part in path.split("\\"):
            if not isinstance(node, dict) or not isinstance(node.get(part), dict):
                return None
            node = node[part]
        return dict(node)

    def subkeys(self, path: str) -> list[str]:
        key = self._key(path)
        return [] if key is None else [k for k, v in key.items() if isinstance(v, dict)]

    def value(self, path: str, name: str) -> str | None:
        key = self._key(path)
        value = None if key is None else key.get(name)
        return value if isinstance(value, str) else None


WORKSHOP_PC = FakeRegistry(
    {
        "SOFTWARE": {
            "PassThruSupport.04.04": {
                "Drew Technologies Inc.": {
                    "CarDAQ-Plus 3": {
                        "Name": "CarDAQ-Plus 3",
                        "Vendor": "Drew Technologies Inc.",
                        "FunctionLibrary": "C:\\Program Files\\Drew\\cdp3_64.dll",
                    }
                },
            },
            "WOW6432Node": {
                "PassThruSupport.04.04": {
                    "Tactrix Openport 2.0": {
                        "Name": "Tactrix Openport 2.0",
                        "Vendor": "Tactrix Inc.",
                        "FunctionLibrary": "C:\\Windows\\SysWOW64\\op20pt32.dll",
                    }
                }
            },
        }
    }
)


def test_a_registered_device_name_gives_its_64_bit_library() -> None:
    path = j2534_library_path(
        dll=None, device="cardaq-plus 3", platform="win32", registry=WORKSHOP_PC
    )

    assert path == Path("C:\\Program Files\\Drew\\cdp3_64.dll")


def test_an_unknown_device_name_lists_the_installed_devices() -> None:
    with pytest.raises(ValueError, match="no J2534 device named") as unknown:
        j2534_library_path(dll=None, device="VCX", platform="win32", registry=WORKSHOP_PC)

    assert str(unknown.value) == (
        "no J2534 device named 'VCX'; installed: CarDAQ-Plus 3 (Drew Technologies Inc.); "
        "Tactrix Openport 2.0 (Tactrix Inc., 32-bit)"
    )


def test_a_device_registered_with_a_32_bit_dll_only_is_refused_with_why() -> None:
    with pytest.raises(ValueError, match=r"32-bit DLL only .*op20pt32\.dll.*agent is 64-bit"):
        j2534_library_path(
            dll=None, device="Tactrix Openport 2.0", platform="win32", registry=WORKSHOP_PC
        )


def test_no_device_name_on_windows_asks_for_one_and_lists_them() -> None:
    with pytest.raises(ValueError, match=r"needs --j2534-device NAME .* installed: CarDAQ"):
        j2534_library_path(dll=None, device=None, platform="win32", registry=WORKSHOP_PC)


def test_a_device_name_off_windows_asks_for_the_library_path() -> None:
    with pytest.raises(ValueError, match="needs --j2534-dll PATH"):
        j2534_library_path(dll=None, device="CarDAQ-Plus 3", platform="linux")


def test_registrations_of_both_bitnesses_are_listed() -> None:
    assert installed_passthru_devices(platform="win32", registry=WORKSHOP_PC) == [
        PassThruRegistration(
            name="CarDAQ-Plus 3",
            vendor="Drew Technologies Inc.",
            function_library="C:\\Program Files\\Drew\\cdp3_64.dll",
            bits=64,
        ),
        PassThruRegistration(
            name="Tactrix Openport 2.0",
            vendor="Tactrix Inc.",
            function_library="C:\\Windows\\SysWOW64\\op20pt32.dll",
            bits=32,
        ),
    ]
    assert installed_passthru_devices(platform="linux", registry=WORKSHOP_PC) == []
