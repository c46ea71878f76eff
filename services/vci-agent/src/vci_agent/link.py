"""The agent's one outbound WebSocket to the programming service (aos.agent.v1 frames).

``AgentLink.run`` keeps the link up until stopped: it connects with the device credential in
the handshake, says Hello, waits for Welcome, then exchanges heartbeats (the interval comes
from Welcome) and hands every other frame to ``handler``. A dead link is noticed within
seconds: WebSocket pings every ``ping_interval`` seconds must be answered within
``ping_timeout`` (a half-open TCP connection, a frozen proxy or a changed address otherwise
look alive until the heartbeat silence limit of three intervals). A link that was welcomed and
then lost is reconnected at once; failed attempts are retried after an exponential backoff
with full jitter, capped at a few seconds so the agent is back soon after the service is, and
reset by the next good connection. A refused credential (close 4401/4403) or an
UpgradeRequired answer stops the link with a typed error instead of retrying forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import DecodeError
from google.protobuf.timestamp_pb2 import Timestamp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from aos.agent.v1 import agent_pb2
from vci_agent.pairing import DeviceCredential

__all__ = [
    "AGENT_VERSION",
    "AgentLink",
    "Backoff",
    "LinkError",
    "LinkRefusedError",
    "UpgradeRequiredError",
]

AGENT_VERSION = "0.1.0"
PROTOCOL_VERSION = agent_pb2.PROTOCOL_VERSION_1
_REFUSED_CLOSE_CODES = {4401: "unknown credential", 4403: "agent revoked"}
# 1013 "try again later": the replica is busy (e.g. every agent of a dead replica reconnecting at
# once). Such a refusal waits on the longer busy backoff, so that a storm spreads out.
_CLOSE_TRY_AGAIN_LATER = 1013

FrameHandler = Callable[[agent_pb2.AgentFrame, "AgentLink"], Awaitable[None]]


class LinkError(Exception):
    """The link stopped for good (no reconnect)."""


class LinkRefusedError(LinkError):
    """The service refused the credential (unknown or revoked): pair the agent again."""


class UpgradeRequiredError(LinkError):
    """The service no longer speaks this agent's protocol version. ``update`` is the build it
    offers instead, when it knows one for this agent's platform (else None)."""

    def __init__(self, message: str, *, update: agent_pb2.AgentUpdate | None = None) -> None:
        super().__init__(message)
        self.update = update


@dataclass(frozen=True, slots=True)
class Backoff:
    """Full-jitter exponential backoff in seconds: uniform(0, min(cap, base * 2**attempt))."""

    base: float = 0.5
    cap: float = 5.0

    def delay(self, attempt: int, *, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(attempt, 30)))
        return (rng or random).uniform(0, ceiling)


# After a "busy" close the service asked for time: thousands of agents refused together come back
# over up to half a minute instead of a few seconds.
BUSY_BACKOFF = Backoff(base=2.0, cap=30.0)


class _ServiceBusy(Exception):
    """The service closed the connection with 1013 (try again later)."""


class AgentLink:
    """See the module docstring. ``pending_results`` counts journal results not yet synced
    (sent in Hello); ``on_welcome`` runs after every successful (re)connect. ``handler`` runs
    inside the receive loop, so it must return quickly (start long work such as a flash job as
    a task) or heartbeats stall."""

    def __init__(
        self,
        credential: DeviceCredential,
        *,
        handler: FrameHandler,
        backoff: Backoff | None = None,
        busy_backoff: Backoff = BUSY_BACKOFF,
        protocol_versions: tuple[int, int] = (PROTOCOL_VERSION, PROTOCOL_VERSION),
        pending_results: Callable[[], int] = lambda: 0,
        on_welcome: Callable[[agent_pb2.Welcome], Awaitable[None]] | None = None,
        open_timeout: float = 10.0,
        ping_interval: float | None = 5.0,
        ping_timeout: float | None = 5.0,
        rng: random.Random | None = None,
        pause: Callable[[asyncio.Event, float], Awaitable[None]] | None = None,
        platform_tag: str = "",
    ) -> None:
        self._credential = credential
        # The single-file build's platform, told in Hello so that the service can offer a newer
        # build; empty from source (vci_agent/release.py).
        self._platform_tag = platform_tag
        self._handler = handler
        self._backoff = backoff or Backoff()
        self._busy_backoff = busy_backoff
        self._versions = protocol_versions
        self._pending_results = pending_results
        self._on_welcome = on_welcome
        self._open_timeout = open_timeout
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._rng = rng
        # Waits between connection attempts (until stopped); tests pass one that records.
        self._pause = pause or _pause_unless_stopped
        self._seq = itertools.count(1)
        self._socket: ClientConnection | None = None
        self._waiting: dict[int, asyncio.Future[agent_pb2.AgentFrame]] = {}
        self.connections = 0

    @property
    def connected(self) -> bool:
        return self._socket is not None

    async def send(self, frame: agent_pb2.AgentFrame) -> int:
        """Send ``frame`` with the next sequence number; returns it. Raises ``ConnectionError``
        when the link is down (the caller keeps its data, e.g. in the journal)."""
        if self._socket is None:
            raise ConnectionError("the link to the programming service is down")
        frame.seq = next(self._seq)
        try:
            await self._socket.send(frame.SerializeToString())
        except ConnectionClosed as exc:
            raise ConnectionError("the link to the programming service is down") from exc
        return frame.seq

    async def request(
        self, frame: agent_pb2.AgentFrame, *, answer_within: float = 30.0
    ) -> agent_pb2.AgentFrame:
        """Send ``frame`` and return the service's frame whose ``reply_to`` is its seq.

        Raises ``ConnectionError`` when the link is down or drops before the answer, and
        ``TimeoutError`` after ``answer_within`` seconds."""
        answer: asyncio.Future[agent_pb2.AgentFrame] = asyncio.get_running_loop().create_future()
        if self._socket is None:
            raise ConnectionError("the link to the programming service is down")
        # Register before sending: the answer may arrive before send() returns.
        seq = next(self._seq)
        self._waiting[seq] = answer
        try:
            frame.seq = seq
            try:
                await self._socket.send(frame.SerializeToString())
            except ConnectionClosed as exc:
                raise ConnectionError("the link to the programming service is down") from exc
            async with asyncio.timeout(answer_within):
                return await answer
        finally:
            self._waiting.pop(seq, None)

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the link up until ``stop`` is set. Raises ``LinkRefusedError`` and
        ``UpgradeRequiredError``; every other failure is retried with backoff."""
        failures = 0
        while not stop.is_set():
            busy = False
            try:
                welcomed = await self._session(stop)
            except _ServiceBusy:
                welcomed, busy = False, True
            except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed, DecodeError):
                welcomed = False
            except InvalidURI as exc:
                raise LinkError(str(exc)) from exc
            if stop.is_set():
                break
            if welcomed:
                # A good connection ended: reconnect at once, and back off afresh if that fails.
                failures = 0
                delay = 0.0
            else:
                backoff = self._busy_backoff if busy else self._backoff
                delay = backoff.delay(failures, rng=self._rng)
                failures += 1
            await self._pause(stop, delay)

    async def _session(self, stop: asyncio.Event) -> bool:
        headers = {"Authorization": f"Bearer {self._credential.credential}"}
        async with connect(
            self._credential.websocket_url,
            additional_headers=headers,
            open_timeout=self._open_timeout,
            ping_interval=self._ping_interval,
            ping_timeout=self._ping_timeout,
        ) as websocket:
            try:
                welcome = await self._handshake(websocket)
            except ConnectionClosed as closed:
                _raise_if_refused(closed)
                if closed.rcvd is not None and closed.rcvd.code == _CLOSE_TRY_AGAIN_LATER:
                    raise _ServiceBusy from closed
                raise
            self._socket = websocket
            self.connections += 1
            try:
                if self._on_welcome is not None:
                    await self._on_welcome(welcome)
                await self._exchange(websocket, welcome, stop)
            except ConnectionClosed as closed:
                _raise_if_refused(closed)
            finally:
                self._socket = None
                for waiting in self._waiting.values():
                    if not waiting.done():
                        waiting.set_exception(ConnectionError("the link dropped"))
            return True

    async def _handshake(self, websocket: ClientConnection) -> agent_pb2.Welcome:
        hello = agent_pb2.AgentFrame(
            seq=next(self._seq),
            hello=agent_pb2.Hello(
                min_protocol_version=self._versions[0],
                max_protocol_version=self._versions[1],
                agent_version=AGENT_VERSION,
                hostname=socket.gethostname(),
                pending_results=self._pending_results(),
                agent_platform=self._platform_tag,
            ),
        )
        await websocket.send(hello.SerializeToString())
        async with asyncio.timeout(self._open_timeout):
            answer = _parse(await websocket.recv())
        body = answer.WhichOneof("body")
        if body == "upgrade_required":
            upgrade = answer.upgrade_required
            raise UpgradeRequiredError(
                upgrade.message, update=upgrade.update if upgrade.HasField("update") else None
            )
        if body != "welcome":
            raise ConnectionError(f"expected Welcome, got {body}")
        return answer.welcome

    async def _exchange(
        self, websocket: ClientConnection, welcome: agent_pb2.Welcome, stop: asyncio.Event
    ) -> None:
        interval = max(1, welcome.heartbeat_interval_seconds or 5)
        last_heard = time.monotonic()
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                if time.monotonic() - last_heard > 3 * interval:
                    await websocket.close(1001, "no heartbeat answer")
                    return
                receiving = asyncio.create_task(websocket.recv())
                done, _ = await asyncio.wait(
                    {receiving, stopping}, timeout=interval, return_when=asyncio.FIRST_COMPLETED
                )
                if receiving not in done:
                    receiving.cancel()
                    # asyncio.wait, not suppress(CancelledError) around an await: a cancellation
                    # of run() itself arriving here must not be swallowed.
                    await asyncio.wait({receiving})
                    if not receiving.cancelled():
                        receiving.exception()  # ConnectionClosed: the next recv() says so again
                    if not stop.is_set():
                        await self.send(_heartbeat())
                    continue
                frame = _parse(receiving.result())
                last_heard = time.monotonic()
                await self._dispatch(frame)
        finally:
            stopping.cancel()
            if stop.is_set():
                await websocket.close(1000, "agent stopping")

    async def _dispatch(self, frame: agent_pb2.AgentFrame) -> None:
        waiting = self._waiting.get(frame.reply_to) if frame.reply_to else None
        if waiting is not None and not waiting.done():
            waiting.set_result(frame)
            return
        body = frame.WhichOneof("body")
        if body == "heartbeat":
            if frame.reply_to == 0:
                answer = _heartbeat()
                answer.reply_to = frame.seq
                await self.send(answer)
            return
        await self._handler(frame, self)


async def _pause_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    if seconds > 0:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await stop.wait()


def _heartbeat() -> agent_pb2.AgentFrame:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return agent_pb2.AgentFrame(heartbeat=agent_pb2.Heartbeat(sent_at=stamp))


def _parse(data: str | bytes) -> agent_pb2.AgentFrame:
    if isinstance(data, str):
        raise DecodeError("text frame on a binary protocol")
    frame = agent_pb2.AgentFrame()
    frame.ParseFromString(data)
    return frame


def _raise_if_refused(closed: ConnectionClosed) -> None:
    code = closed.rcvd.code if closed.rcvd is not None else None
    if code in _REFUSED_CLOSE_CODES:
        raise LinkRefusedError(f"{_REFUSED_CLOSE_CODES[code]}: pair the agent again") from closed
