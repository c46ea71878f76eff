"""Many flashes at once: ``--flashes`` programming sessions started together, each through its
own VCI agent against its own simulated vehicle, across one or more programming replicas.

Creates a database of its own on the stack's PostgreSQL (a clone of the migrated programming
template, dropped at the end) and starts ``--replicas`` programming processes on it
(``python -m programming serve`` on 127.0.0.1, each on its own port, the demo catalog seeded:
the DME of the demo G20 goes from 1.0.0 to 1.1.0, a 384 KiB signed image), with access tokens
checked against a JWKS this bench serves on 127.0.0.1. Each flash belongs to a workshop of its
own: its PROGRAMMING pass (one day) is projected into programming's entitlement table through
the service's own consumer handler, as billing's EntitlementGranted would be (no billing, no
Kafka: the relay and consumers are off), and its agent is paired through the API.

The agents are the real ``vci_agent`` (``run_agent``: link, job runner, flasher over DoIP), each
with a simulated vehicle of its own (``vehicle_sim``, in memory, on its own port), hosted by
``--processes`` worker processes. Agent i connects to replica i mod R, and its session is
planned, started and followed (its event stream, as the portal follows it) through replica
i + 1 mod R (with one replica, the same one).
Once every agent is online, all sessions are planned and started at once; the bench waits until
every session has ended, then reports the states, the wall time from the first plan to the
last end, flashes per minute and each session's time from plan to end.

Exits non-zero when a session did not end COMPLETED with its job SUCCEEDED (never on a time).
Usage: ``python tests/bench/concurrent_flash_bench.py [--flashes 50] [--replicas 1]
[--processes 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from programming.testing import PREFLIGHT

# The start body: the pre-flight checklist confirmed at the vehicle.


HOST = "127.0.0.1"
VIN = "WBA5F3103MFX12345"  # the demo vehicle of vehicle_sim and the programming catalog
ENDED = {"COMPLETED", "EXPIRED", "ABORTED", "FAILED"}
POLL_SECONDS = 2.0


# --- Worker: agents and their simulated vehicles ----------------------------------------------


async def run_worker(specs: list[dict[str, Any]]) -> None:
    """Host the agents of ``specs`` (credential and state folder), each with its own simulated
    vehicle, until SIGTERM."""
    from vci_agent.agent import run_agent
    from vci_agent.cli import DEMO_ECUS
    from vci_agent.flash import FlashOptions
    from vci_agent.pairing import DeviceCredential
    from vci_agent.transport.doip import doip_connection
    from vehicle_sim.testing import running_vehicle

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        agents = []
        for spec in specs:
            vehicle = await stack.enter_async_context(running_vehicle(None, erase_time_s=0.05))
            state_dir = Path(spec["state_dir"])  # made by main() before the loop runs

            def connect(address: int, port: int = vehicle.port) -> Any:
                return doip_connection(HOST, port, address)

            agents.append(
                asyncio.create_task(
                    run_agent(
                        DeviceCredential(**spec["credential"]),
                        state_dir=state_dir,
                        connect=connect,
                        ecus=DEMO_ECUS,
                        stop=stop,
                        flash_options=FlashOptions(reset_wait=0.05),
                    )
                )
            )
        print(json.dumps({"agents": len(agents)}), flush=True)
        await stop.wait()
        await asyncio.gather(*agents, return_exceptions=True)


# --- The bench --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving_jwks(jwks: dict[str, Any]) -> Iterator[str]:
    """Serve ``jwks`` at http://127.0.0.1:<port>/.well-known/jwks.json; yields its URL."""
    body = json.dumps(jwks).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def start_replica(
    database_url: str, port: int, *, state: Path, jwks_url: str, public_base_url: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AOS_ENVIRONMENT": "test",
        "AOS_JWKS_URL": jwks_url,
        "PROGRAMMING_DATABASE_URL": database_url,
        "PROGRAMMING_MIGRATE_ON_START": "false",
        "PROGRAMMING_RUN_BACKGROUND_WORKERS": "false",
        "PROGRAMMING_SEED_ON_START": "true",
        "PROGRAMMING_LOG_LEVEL": "WARNING",
        "PROGRAMMING_PUBLIC_BASE_URL": public_base_url,
        "PROGRAMMING_RELEASE_SIGNING_KEY_FILE": str(state / "release.pem"),
        "PROGRAMMING_SECRET_KEYS_FILE": str(state / "secret-keys"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "programming", "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(state / f"programming-{port}.log").open("wb"),
    )


async def wait_healthy(url: str, process: subprocess.Popen[bytes], *, timeout: float = 90) -> None:
    async with httpx.AsyncClient(base_url=url) as client, asyncio.timeout(timeout):
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the programming replica at {url} exited; see its log")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)


def start_worker(spec_file: Path, *, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, "--worker", str(spec_file)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Workshop:
    organization_id: uuid.UUID
    headers: dict[str, str]
    agent_url: str  # the replica its agent connects to
    session_url: str  # the replica its session is planned, started and followed through
    agent_id: str = ""
    credential: dict[str, str] | None = None


async def grant_programming_pass(database_url: str, organization_ids: list[uuid.UUID]) -> None:
    """Project a one-day PROGRAMMING pass per workshop through the service's consumer handler
    (what billing's EntitlementGranted does through Kafka)."""
    from aos.events.v1 import billing_pb2
    from programming.consumers.entitlements import handle_entitlement_granted
    from servicekit.db import Database
    from servicekit.logging import configure_logging
    from servicekit.testing import incoming_event, timestamp

    configure_logging(service="bench", level="WARNING")  # no line per projected pass
    now = datetime.now(UTC)
    database = Database(database_url, pool_size=1)
    try:
        async with database.transaction() as session:
            for organization_id in organization_ids:
                message = billing_pb2.EntitlementGranted(
                    entitlement_id=str(uuid.uuid4()),
                    organization_id=str(organization_id),
                    scope=billing_pb2.SCOPE_PROGRAMMING,
                    valid_from=timestamp(now - timedelta(minutes=5)),
                    valid_until=timestamp(now + timedelta(days=1)),
                    order_id=str(uuid.uuid4()),
                )
                event = incoming_event(message, source="billing", aggregate_id=str(organization_id))
                await handle_entitlement_granted(session, event)
    finally:
        await database.dispose()


async def pair(client: httpx.AsyncClient, workshop: Workshop, *, number: int) -> None:
    code = await client.post(
        f"{workshop.session_url}/agents/pairing-codes", headers=workshop.headers
    )
    code.raise_for_status()
    paired = await client.post(
        f"{workshop.agent_url}/agents/pair",
        json={"code": code.json()["code"], "name": f"bay {number}"},
    )
    paired.raise_for_status()
    body = paired.json()
    workshop.agent_id = body["agent_id"]
    workshop.credential = {
        "server": workshop.agent_url,
        "api_prefix": "",
        "agent_id": body["agent_id"],
        "credential": body["credential"],
        "release_public_key": body["release_public_key"],
    }


async def wait_online(
    client: httpx.AsyncClient, workshops: list[Workshop], *, timeout: float
) -> int:
    """Wait until every workshop's agent is listed online by its session replica; returns
    how many are not after ``timeout`` seconds."""

    async def online(workshop: Workshop) -> bool:
        answer = await client.get(f"{workshop.session_url}/agents", headers=workshop.headers)
        return any(
            item["id"] == workshop.agent_id and item["online"] for item in answer.json()["items"]
        )

    waiting = list(workshops)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        states = await asyncio.gather(*(online(workshop) for workshop in waiting))
        waiting = [workshop for workshop, up in zip(waiting, states, strict=True) if not up]
        if waiting:
            await asyncio.sleep(POLL_SECONDS)
    return len(waiting)


@dataclass
class Outcome:
    session_id: str
    state: str
    job_states: list[str]
    seconds: float
    detail: str | None


async def flash(client: httpx.AsyncClient, workshop: Workshop, *, timeout: float) -> Outcome:
    """Plan, start and follow one session through the workshop's session replica."""
    began = time.perf_counter()
    base = workshop.session_url
    planned = await client.post(
        f"{base}/sessions",
        json={"agent_id": workshop.agent_id, "vin": VIN},
        headers=workshop.headers,
    )
    if planned.status_code != 201:
        return Outcome("", f"plan {planned.status_code}", [], 0.0, planned.text[:300])
    session_id = planned.json()["id"]
    started = await client.post(
        f"{base}/sessions/{session_id}/start", json=PREFLIGHT, headers=workshop.headers
    )
    if started.status_code != 202:
        return Outcome(session_id, f"start {started.status_code}", [], 0.0, started.text[:300])
    body: dict[str, Any] = {}
    async with asyncio.timeout(timeout):
        # Followed live, as the portal does: the event stream ends with the session.
        async with client.stream(
            "GET", f"{base}/sessions/{session_id}/events", headers=workshop.headers
        ) as events:
            async for _ in events.aiter_lines():
                pass
        while True:  # the stream may also end early (a replica went away): then poll
            answer = await client.get(f"{base}/sessions/{session_id}", headers=workshop.headers)
            body = answer.json()
            if body.get("state") in ENDED:
                break
            await asyncio.sleep(POLL_SECONDS)
    return Outcome(
        session_id,
        body["state"],
        [job["state"] for job in body["jobs"]],
        time.perf_counter() - began,
        body.get("end_detail"),
    )


async def bench(args: argparse.Namespace) -> int:
    from programming.main import MIGRATIONS_DIR
    from servicekit.testing import DatabaseFactory, TestTokenIssuer, load_stack_env

    # Stopped by its PID (SIGTERM) like Ctrl-C: cancelled, it stops what it started.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    factory = DatabaseFactory(load_stack_env()["AOS_POSTGRES_ADMIN_URL"])
    issuer = TestTokenIssuer()
    replicas: list[subprocess.Popen[bytes]] = []
    workers: list[subprocess.Popen[bytes]] = []
    with (
        tempfile.TemporaryDirectory(prefix="aos-flashes-") as temp,
        serving_jwks(issuer.jwks()) as jwks_url,
    ):
        state = Path(temp)
        try:
            database_url = await factory.create(MIGRATIONS_DIR)
            print(f"database {database_url.rsplit('/', 1)[1]} (migrated; dropped at the end)")
            urls = [f"http://{HOST}:{free_port()}" for _ in range(args.replicas)]
            # The first replica generates the key files and seeds the catalog; the others
            # start once it is up, so they read the same keys.
            for number, url in enumerate(urls):
                port = int(url.rsplit(":", 1)[1])
                replicas.append(
                    start_replica(
                        database_url,
                        port,
                        state=state,
                        jwks_url=jwks_url,
                        public_base_url=urls[0],
                    )
                )
                await wait_healthy(url, replicas[-1])
                print(f"programming replica {number + 1} pid {replicas[-1].pid} at {url}")
            workshops = []
            for number in range(args.flashes):
                organization_id = uuid.uuid4()
                token = issuer.token(organization_id=organization_id, ttl=3600)
                workshops.append(
                    Workshop(
                        organization_id,
                        {"Authorization": f"Bearer {token}"},
                        agent_url=urls[number % len(urls)],
                        session_url=urls[(number + 1) % len(urls)],
                    )
                )
            await grant_programming_pass(database_url, [w.organization_id for w in workshops])
            # No read timeout: an event stream is quiet between its events (keep-alives aside).
            timeouts = httpx.Timeout(60, read=None)
            unlimited = httpx.Limits(max_connections=None)
            async with httpx.AsyncClient(timeout=timeouts, limits=unlimited) as client:
                for number, workshop in enumerate(workshops):
                    await pair(client, workshop, number=number)
                print(
                    f"{len(workshops)} workshops with a PROGRAMMING pass and a paired agent; "
                    f"starting {args.processes} agent processes"
                )
                for index in range(args.processes):
                    mine = workshops[index :: args.processes]
                    if not mine:
                        continue
                    spec_file = state / f"worker-{index}.json"
                    spec_file.touch(mode=0o600)
                    spec_file.write_text(
                        json.dumps(
                            [
                                {
                                    "credential": workshop.credential,
                                    "state_dir": str(state / f"agent-{workshop.agent_id}"),
                                }
                                for workshop in mine
                            ]
                        )
                    )
                    workers.append(start_worker(spec_file, log=state / f"worker-{index}.log"))
                offline = await wait_online(client, workshops, timeout=120)
                if offline:
                    print(
                        f"{offline} agents are not listed online by the replica their session "
                        "goes through after 120 s; with several replicas that needs the "
                        "service to know agents connected to another replica",
                        file=sys.stderr,
                    )
                    return 1
                print(f"all {len(workshops)} agents online; planning and starting every session")
                began = time.perf_counter()
                outcomes = await asyncio.gather(
                    *(flash(client, workshop, timeout=args.timeout) for workshop in workshops)
                )
                wall = time.perf_counter() - began
            return report(outcomes, wall=wall, args=args)
        finally:
            for process in workers:
                stop_process(process)
            for process in replicas:
                stop_process(process)
            await factory.drop_created()


def report(outcomes: list[Outcome], *, wall: float, args: argparse.Namespace) -> int:
    succeeded = [
        outcome
        for outcome in outcomes
        if outcome.state == "COMPLETED" and outcome.job_states == ["SUCCEEDED"]
    ]
    states: dict[str, int] = {}
    for outcome in outcomes:
        states[outcome.state] = states.get(outcome.state, 0) + 1
    times = sorted(outcome.seconds for outcome in succeeded) or [0.0]
    rows = [
        ("flashes completed (COMPLETED, job SUCCEEDED)", f"{len(succeeded)} / {len(outcomes)}"),
        ("session states", ", ".join(f"{k} {v}" for k, v in sorted(states.items()))),
        ("wall time, first plan to last end", f"{wall:.1f} s"),
        ("flashes per minute", f"{len(succeeded) / wall * 60:.1f}"),
        ("session p50 / max, plan to end", f"{statistics.median(times):.1f} / {times[-1]:.1f} s"),
    ]
    print()
    print(
        f"{len(outcomes)} flashes at once (DME 1.0.0 -> 1.1.0, 384 KiB over DoIP on loopback), "
        f"{args.replicas} programming replica(s), {args.processes} agent processes"
    )
    for label, value in rows:
        print(f"  {label:<56}{value:>22}")
    print()
    for outcome in outcomes:
        if outcome not in succeeded:
            print(f"  not completed: {asdict(outcome)}", file=sys.stderr)
    if args.json:
        print(json.dumps({"wall_seconds": wall, "outcomes": [asdict(o) for o in outcomes]}))
    return 0 if len(succeeded) == len(outcomes) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flashes", type=int, default=50, help="sessions at once (50)")
    parser.add_argument("--replicas", type=int, default=1, help="programming replicas (1)")
    parser.add_argument(
        "--processes", type=int, default=5, help="processes hosting the agents and vehicles (5)"
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds a session may take (600)"
    )
    parser.add_argument("--json", action="store_true", help="also print the outcomes as JSON")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        specs: list[dict[str, Any]] = json.loads(args.worker.read_text())
        for spec in specs:
            Path(spec["state_dir"]).mkdir(parents=True, exist_ok=True)
        asyncio.run(run_worker(specs))
        return 0
    if args.flashes < 1 or args.replicas < 1 or args.processes < 1:
        parser.error("--flashes, --replicas and --processes must be positive")
    from servicekit.testing import require_stack

    # Before anything starts: a missing stack is one line and a non-zero exit, not a traceback.
    require_stack()
    try:
        return asyncio.run(bench(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; processes stopped and the database dropped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
