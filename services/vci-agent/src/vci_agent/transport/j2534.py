"""UDS over an SAE J2534-1 (04.04) pass-thru device: a small ctypes binding of the vendor's
library, one ISO15765 channel shared by the connections to every ECU.

udsoncan ships a ``J2534Connection``, but it is written for Windows only (``ctypes.WinDLL`` and
the Windows debug calls at construction) and opens a device and channel per connection, so
two ECUs cannot be talked to at once; the agent also runs on Linux (and its tests load a fake
library there). This binding is ours: the few calls the agent needs, with argument types.

ISO15765 messages carry the 11-bit CAN id in their first four data bytes (big-endian). Per ECU
a FLOW_CONTROL_FILTER (mask 0x7FF, pattern the response id, flow control the request id) makes
the device run ISO-TP. Reads skip the device's indications: TX done, loopback echoes and the
start of a multi-frame answer. The library is not assumed to be thread-safe: every call goes
through one lock.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Final

from udsoncan.connections import BaseConnection
from udsoncan.exceptions import TimeoutException

from vci_agent.platform import PLATFORM, load_library

__all__ = [
    "ISO15765",
    "ISOTP_MAX_PAYLOAD",
    "J2534Connection",
    "J2534Connector",
    "J2534Device",
    "J2534Error",
    "J2534LibraryError",
    "PassThruMsg",
    "Status",
]

_log = logging.getLogger(__name__)

ISO15765: Final = 0x06
FLOW_CONTROL_FILTER: Final = 0x03
ISO15765_FRAME_PAD: Final = 0x40  # TxFlags: pad single and last frames to 8 bytes
# Ioctl ids and SET_CONFIG parameters.
GET_CONFIG: Final = 0x01
SET_CONFIG: Final = 0x02
READ_VBATT: Final = 0x03
CLEAR_RX_BUFFER: Final = 0x08
DATA_RATE: Final = 0x01
# RxStatus bits of what is not an answer: an echo of our own message, the start of a
# multi-frame answer (first frame seen) and the "sent" indication.
TX_MSG_TYPE: Final = 0x01
START_OF_MESSAGE: Final = 0x02
TX_DONE: Final = 0x08
_INDICATIONS: Final = TX_MSG_TYPE | START_OF_MESSAGE | TX_DONE
# Data[] of PASSTHRU_MSG; ISO 15765-2 (12-bit length) caps a message at 4095 bytes.
DATA_SIZE: Final = 4128
ISOTP_MAX_PAYLOAD: Final = 4095
_CAN_ID_MASK: Final = 0x7FF
# How long one PassThruReadMsgs may hold the lock; other connections wait at most this long.
_READ_SLICE_MS: Final = 50
_WRITE_TIMEOUT_MS: Final = 2000
_READ_BATCH: Final = 8
_FUNCTIONS: Final = (
    "PassThruOpen",
    "PassThruClose",
    "PassThruConnect",
    "PassThruDisconnect",
    "PassThruReadMsgs",
    "PassThruWriteMsgs",
    "PassThruStartMsgFilter",
    "PassThruStopMsgFilter",
    "PassThruIoctl",
    "PassThruReadVersion",
    "PassThruGetLastError",
)


class Status(IntEnum):
    """J2534-1 04.04 return codes."""

    STATUS_NOERROR = 0x00
    ERR_NOT_SUPPORTED = 0x01
    ERR_INVALID_CHANNEL_ID = 0x02
    ERR_INVALID_PROTOCOL_ID = 0x03
    ERR_NULL_PARAMETER = 0x04
    ERR_INVALID_IOCTL_VALUE = 0x05
    ERR_INVALID_FLAGS = 0x06
    ERR_FAILED = 0x07
    ERR_DEVICE_NOT_CONNECTED = 0x08
    ERR_TIMEOUT = 0x09
    ERR_INVALID_MSG = 0x0A
    ERR_INVALID_TIME_INTERVAL = 0x0B
    ERR_EXCEEDED_LIMIT = 0x0C
    ERR_INVALID_MSG_ID = 0x0D
    ERR_DEVICE_IN_USE = 0x0E
    ERR_INVALID_IOCTL_ID = 0x0F
    ERR_BUFFER_EMPTY = 0x10
    ERR_BUFFER_FULL = 0x11
    ERR_BUFFER_OVERFLOW = 0x12
    ERR_PIN_INVALID = 0x13
    ERR_CHANNEL_IN_USE = 0x14
    ERR_MSG_PROTOCOL_ID = 0x15
    ERR_INVALID_FILTER_ID = 0x16
    ERR_NO_FLOW_CONTROL = 0x17
    ERR_NOT_UNIQUE = 0x18
    ERR_INVALID_BAUDRATE = 0x19
    ERR_INVALID_DEVICE_ID = 0x1A


class J2534Error(OSError):
    """A PassThru call failed. ``status`` is the code, ``detail`` the library's own text
    (PassThruGetLastError). An OSError: to the flasher it is a link problem, like a TCP reset."""

    def __init__(self, function: str, status: int, detail: str) -> None:
        try:
            code = f"{Status(status).name} (0x{status:02X})"
        except ValueError:
            code = f"unknown status 0x{status:02X}"
        message = f"{function} failed: {code}" + (f": {detail}" if detail else "")
        super().__init__(message)
        self.function = function
        self.status = status
        self.detail = detail


class J2534LibraryError(OSError):
    """The J2534 library cannot be loaded, or is not one (a PassThru function is missing)."""


class PassThruMsg(ctypes.Structure):
    """PASSTHRU_MSG of J2534-1 04.04 (``unsigned long`` is the C compiler's: 4 bytes on
    Windows, 8 on 64-bit Linux, as ctypes.c_ulong)."""

    _fields_ = [
        ("ProtocolID", ctypes.c_ulong),
        ("RxStatus", ctypes.c_ulong),
        ("TxFlags", ctypes.c_ulong),
        ("Timestamp", ctypes.c_ulong),
        ("DataSize", ctypes.c_ulong),
        ("ExtraDataIndex", ctypes.c_ulong),
        ("Data", ctypes.c_ubyte * DATA_SIZE),
    ]


class SConfig(ctypes.Structure):
    _fields_ = [("Parameter", ctypes.c_ulong), ("Value", ctypes.c_ulong)]


class SConfigList(ctypes.Structure):
    _fields_ = [("NumOfParams", ctypes.c_ulong), ("ConfigPtr", ctypes.POINTER(SConfig))]


def iso15765_message(can_id: int, payload: bytes = b"", *, tx_flags: int = 0) -> PassThruMsg:
    """A PASSTHRU_MSG for ISO15765 holding ``can_id`` and ``payload``."""
    data = can_id.to_bytes(4, "big") + payload
    if len(data) > DATA_SIZE:
        raise ValueError(f"a J2534 message holds at most {DATA_SIZE - 4} payload bytes")
    message = PassThruMsg(ProtocolID=ISO15765, TxFlags=tx_flags, DataSize=len(data))
    ctypes.memmove(message.Data, data, len(data))
    return message


_ULONG_P = ctypes.POINTER(ctypes.c_ulong)
_MSG_P = ctypes.POINTER(PassThruMsg)
_SIGNATURES: Final[Mapping[str, list[Any]]] = {
    "PassThruOpen": [ctypes.c_void_p, _ULONG_P],
    "PassThruClose": [ctypes.c_ulong],
    "PassThruConnect": [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, _ULONG_P],
    "PassThruDisconnect": [ctypes.c_ulong],
    "PassThruReadMsgs": [ctypes.c_ulong, _MSG_P, _ULONG_P, ctypes.c_ulong],
    "PassThruWriteMsgs": [ctypes.c_ulong, _MSG_P, _ULONG_P, ctypes.c_ulong],
    "PassThruStartMsgFilter": [ctypes.c_ulong, ctypes.c_ulong, _MSG_P, _MSG_P, _MSG_P, _ULONG_P],
    "PassThruStopMsgFilter": [ctypes.c_ulong, ctypes.c_ulong],
    "PassThruIoctl": [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_void_p],
    "PassThruReadVersion": [ctypes.c_ulong, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p],
    "PassThruGetLastError": [ctypes.c_char_p],
}


class PassThruLibrary:
    """The PassThru functions of a loaded J2534 library. ``call`` raises ``J2534Error`` for
    any status but STATUS_NOERROR (and the ``allowed`` ones, which it returns)."""

    def __init__(self, path: Path | str, *, platform: str = PLATFORM) -> None:
        try:
            self._dll = load_library(path, platform=platform)
        except OSError as exc:
            raise J2534LibraryError(
                f"cannot load the J2534 library {path}: {exc} (the agent is 64-bit and "
                "needs the device's 64-bit DLL)"
            ) from exc
        self.path = str(path)
        self._functions: dict[str, Any] = {}
        for name in _FUNCTIONS:
            try:
                function = getattr(self._dll, name)
            except AttributeError:
                raise J2534LibraryError(
                    f"{path} is not a J2534 04.04 library: it has no {name}"
                ) from None
            function.argtypes = _SIGNATURES[name]
            function.restype = ctypes.c_long
            self._functions[name] = function

    def call(self, name: str, *args: Any, allowed: frozenset[int] = frozenset()) -> int:
        status = int(self._functions[name](*args))
        if status == Status.STATUS_NOERROR or status in allowed:
            return status
        raise J2534Error(name, status, self.last_error())

    def last_error(self) -> str:
        text = ctypes.create_string_buffer(256)  # the standard says 80; room for long ones
        if self._functions["PassThruGetLastError"](text) != Status.STATUS_NOERROR:
            return ""
        return text.value.decode("ascii", "replace").strip()


@dataclass(frozen=True, slots=True)
class PassThruVersions:
    firmware: str
    dll: str
    api: str


class J2534Device:
    """One opened pass-thru device with one ISO15765 channel at ``baudrate``. Thread-safe.

    ``open`` raises ``J2534LibraryError`` (library) or ``J2534Error`` (device, channel)."""

    def __init__(self, library: PassThruLibrary, *, baudrate: int = 500_000) -> None:
        self.library = library
        self.baudrate = baudrate
        self._lock = threading.Lock()
        self._device_id: int | None = None
        self._channel_id: int | None = None
        # Answers read from the channel that no connection asked for yet, per response id.
        self._inboxes: dict[int, deque[bytes]] = {}

    @classmethod
    def open(
        cls, path: Path | str, *, baudrate: int = 500_000, platform: str = PLATFORM
    ) -> J2534Device:
        device = cls(PassThruLibrary(path, platform=platform), baudrate=baudrate)
        device._open()
        return device

    def _open(self) -> None:
        device_id = ctypes.c_ulong()
        self.library.call("PassThruOpen", None, ctypes.byref(device_id))
        self._device_id = device_id.value
        channel_id = ctypes.c_ulong()
        try:
            self.library.call(
                "PassThruConnect",
                self._device_id,
                ISO15765,
                0,
                self.baudrate,
                ctypes.byref(channel_id),
            )
        except J2534Error:
            self.close()
            raise
        self._channel_id = channel_id.value

    @property
    def device_id(self) -> int:
        if self._device_id is None:
            raise J2534Error("PassThruOpen", Status.ERR_INVALID_DEVICE_ID, "the device is closed")
        return self._device_id

    @property
    def channel_id(self) -> int:
        if self._channel_id is None:
            raise J2534Error("PassThruConnect", Status.ERR_INVALID_CHANNEL_ID, "not connected")
        return self._channel_id

    def close(self) -> None:
        """Disconnect the channel and close the device (errors are logged, not raised)."""
        with self._lock:
            for function, handle in (
                ("PassThruDisconnect", self._channel_id),
                ("PassThruClose", self._device_id),
            ):
                if handle is None:
                    continue
                try:
                    self.library.call(function, handle)
                except J2534Error as exc:
                    _log.warning("closing the J2534 device: %s", exc)
            self._channel_id = self._device_id = None

    def versions(self) -> PassThruVersions:
        firmware, dll, api = (ctypes.create_string_buffer(80) for _ in range(3))
        with self._lock:
            self.library.call("PassThruReadVersion", self.device_id, firmware, dll, api)
        return PassThruVersions(*(b.value.decode("ascii", "replace") for b in (firmware, dll, api)))

    def battery_millivolts(self) -> int:
        """READ_VBATT: the voltage at the diagnostic connector's pin 16, in millivolts."""
        millivolts = ctypes.c_ulong()
        with self._lock:
            self.library.call(
                "PassThruIoctl", self.device_id, READ_VBATT, None, ctypes.byref(millivolts)
            )
        return millivolts.value

    def set_config(self, parameters: Mapping[int, int]) -> None:
        """SET_CONFIG on the channel, e.g. ``{DATA_RATE: 500000}``."""
        self._config(SET_CONFIG, dict(parameters))

    def get_config(self, *parameters: int) -> dict[int, int]:
        return self._config(GET_CONFIG, dict.fromkeys(parameters, 0))

    def _config(self, ioctl: int, parameters: dict[int, int]) -> dict[int, int]:
        items = (SConfig * len(parameters))(*(SConfig(p, v) for p, v in parameters.items()))
        config = SConfigList(len(parameters), items)
        with self._lock:
            self.library.call("PassThruIoctl", self.channel_id, ioctl, ctypes.byref(config), None)
        return {item.Parameter: item.Value for item in items}

    def start_flow_control_filter(self, *, request_id: int, response_id: int) -> int:
        """Let the device run ISO-TP with one ECU; returns the filter id."""
        mask = iso15765_message(_CAN_ID_MASK)
        pattern = iso15765_message(response_id)
        flow_control = iso15765_message(request_id)
        filter_id = ctypes.c_ulong()
        with self._lock:
            self.library.call(
                "PassThruStartMsgFilter",
                self.channel_id,
                FLOW_CONTROL_FILTER,
                ctypes.byref(mask),
                ctypes.byref(pattern),
                ctypes.byref(flow_control),
                ctypes.byref(filter_id),
            )
            self._inboxes.setdefault(response_id, deque())
        return filter_id.value

    def stop_filter(self, filter_id: int, *, response_id: int | None = None) -> None:
        with self._lock:
            if response_id is not None:
                self._inboxes.pop(response_id, None)
            self.library.call("PassThruStopMsgFilter", self.channel_id, filter_id)

    def write(self, can_id: int, payload: bytes) -> None:
        if not 1 <= len(payload) <= ISOTP_MAX_PAYLOAD:
            raise ValueError(
                f"an ISO15765 message holds 1 to {ISOTP_MAX_PAYLOAD} bytes, not {len(payload)}"
            )
        message = iso15765_message(can_id, payload, tx_flags=ISO15765_FRAME_PAD)
        count = ctypes.c_ulong(1)
        with self._lock:
            self.library.call(
                "PassThruWriteMsgs",
                self.channel_id,
                ctypes.byref(message),
                ctypes.byref(count),
                _WRITE_TIMEOUT_MS,
            )

    def read_messages(self, timeout_ms: int, *, count: int = _READ_BATCH) -> list[PassThruMsg]:
        """Up to ``count`` messages as the device gives them (indications included); [] when
        none came within ``timeout_ms``."""
        with self._lock:
            return self._read_locked(timeout_ms, count)

    def _read_locked(self, timeout_ms: int, count: int) -> list[PassThruMsg]:
        messages = (PassThruMsg * count)()
        read = ctypes.c_ulong(count)
        self.library.call(
            "PassThruReadMsgs",
            self.channel_id,
            messages,
            ctypes.byref(read),
            timeout_ms,
            # fewer than asked within the timeout, or none at all: not failures
            allowed=frozenset({Status.ERR_TIMEOUT, Status.ERR_BUFFER_EMPTY}),
        )
        return list(messages[: read.value])

    def receive(self, response_id: int, timeout: float) -> bytes | None:
        """The next answer on ``response_id`` (a started filter's), or None after ``timeout``
        seconds. Answers for other ECUs read meanwhile wait in their inboxes."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                inbox = self._inboxes.get(response_id)
                if inbox is None:
                    raise J2534Error(
                        "PassThruReadMsgs", Status.ERR_INVALID_FILTER_ID, "no filter for this ECU"
                    )
                if inbox:
                    return inbox.popleft()
                remaining_ms = int((deadline - time.monotonic()) * 1000)
                if remaining_ms <= 0:
                    return None
                for message in self._read_locked(min(remaining_ms, _READ_SLICE_MS), _READ_BATCH):
                    self._sort(message)

    def _sort(self, message: PassThruMsg) -> None:
        if message.RxStatus & _INDICATIONS or message.DataSize < 4:
            return
        data = bytes(message.Data[: message.DataSize])
        inbox = self._inboxes.get(int.from_bytes(data[:4], "big") & 0x1FFFFFFF)
        if inbox is not None:
            inbox.append(data[4:])

    def clear_inbox(self, response_id: int) -> None:
        with self._lock:
            inbox = self._inboxes.get(response_id)
            if inbox is not None:
                inbox.clear()


class J2534Connection(BaseConnection):
    """UDS to one ECU (``request_id``/``response_id``, 11-bit) over ``device``'s channel.
    Opening starts the ECU's flow control filter, closing stops it; the device stays open.
    Also a ``BatteryVoltmeter`` (READ_VBATT)."""

    def __init__(self, device: J2534Device, *, request_id: int, response_id: int) -> None:
        super().__init__(name=f"j2534-{request_id:03X}")
        self.device = device
        self.request_id = request_id
        self.response_id = response_id
        self._filter_id: int | None = None

    def open(self) -> J2534Connection:
        if self._filter_id is None:
            self._filter_id = self.device.start_flow_control_filter(
                request_id=self.request_id, response_id=self.response_id
            )
        return self

    def close(self) -> None:
        if self._filter_id is None:
            return
        filter_id, self._filter_id = self._filter_id, None
        try:
            self.device.stop_filter(filter_id, response_id=self.response_id)
        except J2534Error as exc:
            # The device may be gone already (unplugged); nothing is left to release then.
            _log.warning("closing the connection to 0x%03X: %s", self.request_id, exc)

    def is_open(self) -> bool:
        return self._filter_id is not None

    def specific_send(self, payload: bytes, timeout: float | None = None) -> None:
        self.device.write(self.request_id, payload)

    def specific_wait_frame(self, timeout: float | None = None) -> bytes | None:
        wait = 2.0 if timeout is None else timeout
        frame = self.device.receive(self.response_id, wait)
        if frame is None:
            raise TimeoutException(  # type: ignore[no-untyped-call]
                f"no answer from 0x{self.response_id:03X} within {wait} s"
            )
        return frame

    def empty_rxqueue(self) -> None:
        self.device.clear_inbox(self.response_id)

    def battery_volts(self) -> float | None:
        return self.device.battery_millivolts() / 1000


class J2534Connector:
    """Opens a J2534 connection to one ECU on ``device``; ``can_ids`` maps a logical address
    to the ECU's (request id, response id), as for ISO-TP on python-can; ``pinned``: logical
    addresses whose ids the user gave, which a job's ids from the catalog do not replace."""

    def __init__(
        self,
        device: J2534Device,
        can_ids: Mapping[int, tuple[int, int]],
        *,
        pinned: Iterable[int] = (),
    ) -> None:
        self.device = device
        self.can_ids = dict(can_ids)
        self.pinned = frozenset(pinned)

    def learn(self, logical_address: int, ids: tuple[int, int]) -> None:
        """Use ``ids`` for the ECU at ``logical_address`` (a job carries them from the
        service's catalog), unless the user pinned the ECU's ids."""
        if logical_address not in self.pinned:
            self.can_ids[logical_address] = ids

    def __call__(self, logical_address: int) -> BaseConnection:
        ids = self.can_ids.get(logical_address)
        if ids is None:
            raise ValueError(
                f"no CAN ids known for ECU 0x{logical_address:04X}: give "
                f"--can-id 0x{logical_address:X}=REQUEST:RESPONSE"
            )
        return J2534Connection(self.device, request_id=ids[0], response_id=ids[1]).open()
