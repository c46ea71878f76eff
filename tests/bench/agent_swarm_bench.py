"""Idle agents held by one programming replica: CPU, memory and database writes per agent.

Creates a database of its own on the stack's PostgreSQL (a clone of the migrated programming
template of ``servicekit.testing.DatabaseFactory``, dropped at the end), inserts ``--agents``
paired agents in one COPY (credentials stored as ``services/agents.py`` stores them: SHA-256
only), and starts one programming replica (``python -m programming serve``, a uvicorn process on
127.0.0.1, no relay or consumers, logs at WARNING). Then a swarm of ``--swarm`` processes opens
one WebSocket per agent, at most ``--connect-rate`` a second in all, and speaks the agent
protocol as the real agent does (``vci_agent.link``): Hello, Welcome, then a Heartbeat every
interval the Welcome names (the service answers each one), with a WebSocket ping every
``--ping-interval`` seconds and the client's default per-message deflate offer.

Once every agent is connected it waits one flush period of the service's presence writer plus a
heartbeat interval, then measures over ``--window`` seconds (several heartbeat intervals): the
programming process's CPU (utime + stime from /proc) as a share of one core, and agents per core;
its resident memory (VmRSS) against the same process before the first agent, and that per
agent; the database's committed transactions and updated agent rows per second
(pg_stat_database, pg_stat_user_tables). The goal is the issue's: 10,000 agents per replica
within one core.

RLIMIT_NOFILE is raised to its hard limit here and inherited by the replica and the swarm; a
hard limit below the agents plus some headroom is reported and ends the run. Everything listens
on 127.0.0.1 only; every process started here is stopped by its PID at the end.

Usage: ``python tests/bench/agent_swarm_bench.py [--agents 10000] [--connect-rate 300]
[--window 30] [--swarm 2]``. Exits non-zero when not every agent connected and stayed
connected through the window (never on a figure).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from aos.agent.v1 import agent_pb2

# The swarm workers import only what speaking the protocol needs (websockets, the generated
# protobuf code): the service's modules are imported by the bench itself, in bench().

HOST = "127.0.0.1"
GOAL_AGENTS_PER_CORE = 10_000
# The columns of a freshly paired agent (services/agents.py), as COPY writes them.
AGENT_COLUMNS = ("id", "organization_id", "name", "credential_hash", "created_by", "created_at")
# File descriptors beyond the agents' sockets: the database pool, logs, listeners, Python.
FD_HEADROOM = 200
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
# The service's defaults (programming/config.py), which the settle time waits out.
HEARTBEAT_SECONDS = 5
PRESENCE_FLUSH_SECONDS = 10


# --- The swarm (a worker process) ------------------------------------------------------------


@dataclass
class SwarmStats:
    connected: int = 0
    failed: int = 0
    closed: int = 0
    heartbeats: int = 0
    close_codes: dict[str, int] | None = None

    def closed_with(self, code: int | None) -> None:
        self.closed += 1
        codes = self.close_codes if self.close_codes is not None else {}
        codes[str(code)] = codes.get(str(code), 0) + 1
        self.close_codes = codes


def _frame(**body: Any) -> bytes:
    return agent_pb2.AgentFrame(**body).SerializeToString()


async def _agent(
    url: str,
    credential: str,
    *,
    ping_interval: float | None,
    stats: SwarmStats,
    handshakes: asyncio.Semaphore,
) -> None:
    """One idle agent: Hello, Welcome, then a Heartbeat every interval, each one answered."""
    headers = {"Authorization": f"Bearer {credential}"}
    try:
        async with handshakes:
            websocket = await connect(
                url,
                additional_headers=headers,
                open_timeout=60,
                ping_interval=ping_interval,
                # Pings as often as the real agent's, but a pong may take longer than its 5 s:
                # a swarm process holds thousands of agents on a share of one core, and its
                # own lateness must not count as the service's.
                ping_timeout=None if ping_interval is None else max(ping_interval, 30.0),
            )
            await websocket.send(
                _frame(
                    seq=1,
                    hello=agent_pb2.Hello(
                        min_protocol_version=1,
                        max_protocol_version=1,
                        agent_version="0.1.0",
                        hostname="swarm",
                    ),
                )
            )
            welcome = agent_pb2.AgentFrame.FromString(await websocket.recv(decode=False))
    except (OSError, TimeoutError, ConnectionClosed) as exc:
        stats.failed += 1
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        return
    if welcome.WhichOneof("body") != "welcome":
        stats.failed += 1
        await websocket.close()
        return
    stats.connected += 1
    interval = welcome.welcome.heartbeat_interval_seconds
    seq = 1
    try:
        # Spread the heartbeats over the interval, as agents that connected at random times.
        await asyncio.sleep(random.uniform(0, interval))
        while True:
            seq += 1
            await websocket.send(_frame(seq=seq, heartbeat=agent_pb2.Heartbeat()))
            # Generous: the service's own silence limit (three intervals) is what is measured;
            # this only notices a service that stopped answering altogether.
            async with asyncio.timeout(6 * interval):
                await websocket.recv(decode=False)
            stats.heartbeats += 1
            await asyncio.sleep(interval)
    except ConnectionClosed as closed:
        stats.closed_with(closed.rcvd.code if closed.rcvd is not None else None)
    except TimeoutError:
        stats.closed_with(None)
    finally:
        with contextlib.suppress(Exception):
            await websocket.close()


async def run_swarm(
    url: str, credentials: list[str], *, rate: float, ping_interval: float | None
) -> None:
    stats = SwarmStats()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    handshakes = asyncio.Semaphore(8)
    tasks: list[asyncio.Task[None]] = []

    async def report() -> None:
        while True:
            print(json.dumps({"stats": stats.__dict__}), flush=True)
            await asyncio.sleep(1)

    reporter = asyncio.create_task(report())
    started = time.monotonic()
    for number, credential in enumerate(credentials):
        if stop.is_set():
            break
        tasks.append(
            asyncio.create_task(
                _agent(
                    url,
                    credential,
                    ping_interval=ping_interval,
                    stats=stats,
                    handshakes=handshakes,
                )
            )
        )
        # Bounded connect rate: the n-th agent starts no earlier than n / rate seconds in.
        ahead = (number + 1) / rate - (time.monotonic() - started)
        if ahead > 0:
            await asyncio.sleep(ahead)
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    reporter.cancel()
    print(json.dumps({"stats": stats.__dict__, "final": True}), flush=True)


# --- The bench (the parent process) ----------------------------------------------------------


def raise_open_files(needed: int) -> tuple[int, int]:
    """Raise the soft RLIMIT_NOFILE to the hard limit (children inherit it); returns both."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` in seconds (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` in KiB (/proc/<pid>/statm, resident pages)."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KIB


async def insert_agents(dsn: str, count: int) -> list[str]:
    """``count`` paired agents in one COPY; returns their credentials (stored as SHA-256)."""
    from programming.domain.credentials import digest, new_credential

    now = datetime.now(UTC)
    organization_ids = [uuid.uuid4() for _ in range(max(1, count // 100))]
    credentials = [new_credential() for _ in range(count)]
    records = [
        (
            uuid.uuid4(),
            organization_ids[number % len(organization_ids)],
            f"swarm {number}",
            digest(credential),
            uuid.uuid4(),
            now,
        )
        for number, credential in enumerate(credentials)
    ]
    connection = await asyncpg.connect(dsn)
    try:
        await connection.copy_records_to_table(
            "agents",
            records=records,
            columns=AGENT_COLUMNS,
        )
        await connection.execute("ANALYZE agents")
    finally:
        await connection.close()
    return credentials


async def database_writes(dsn: str, name: str) -> tuple[int, int]:
    """Committed transactions of database ``name`` and rows updated in its agents table."""
    connection = await asyncpg.connect(dsn)
    try:
        commits = await connection.fetchval(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = $1", name
        )
        updated = await connection.fetchval(
            "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'agents'"
        )
    finally:
        await connection.close()
    return int(commits), int(updated)


def start_replica(
    database_url: str, port: int, state: Path, extra_env: dict[str, str]
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AOS_ENVIRONMENT": "test",
        "PROGRAMMING_DATABASE_URL": database_url,
        "PROGRAMMING_MIGRATE_ON_START": "false",
        "PROGRAMMING_RUN_BACKGROUND_WORKERS": "false",
        "PROGRAMMING_SEED_ON_START": "false",
        "PROGRAMMING_LOG_LEVEL": "WARNING",
        "PROGRAMMING_RELEASE_SIGNING_KEY_FILE": str(state / "release.pem"),
        "PROGRAMMING_SECRET_KEYS_FILE": str(state / "secret-keys"),
        **extra_env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "programming", "serve", "--host", HOST, "--port", str(port)],
        env=env,
        stderr=(state / "programming.log").open("wb"),
    )


def wait_healthy(port: int, process: subprocess.Popen[bytes], *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the programming replica exited; see its log")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the programming replica did not become healthy")


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Swarm:
    process: asyncio.subprocess.Process
    stats: dict[str, Any]
    reader: asyncio.Task[None] | None = None
    errors: int = 0


async def start_swarm(
    url: str, credentials_file: Path, *, first: int, count: int, rate: float, ping: float
) -> Swarm:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--worker",
        url,
        "--credentials",
        str(credentials_file),
        "--first",
        str(first),
        "--count",
        str(count),
        "--connect-rate",
        str(rate),
        "--ping-interval",
        str(ping),
        stdout=asyncio.subprocess.PIPE,
        limit=1 << 20,
    )
    swarm = Swarm(process, {})

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            message = json.loads(line)
            if "stats" in message:
                swarm.stats = message["stats"]
            elif "error" in message:
                swarm.errors += 1
                if swarm.errors <= 3:
                    print(f"  swarm: {message['error']}", flush=True)

    swarm.reader = asyncio.create_task(read())
    return swarm


def total(swarms: list[Swarm], key: str) -> int:
    return sum(int(swarm.stats.get(key, 0)) for swarm in swarms)


async def wait_connected(swarms: list[Swarm], agents: int, *, stall_seconds: float) -> None:
    """Wait until every agent connected or failed, or no agent did for ``stall_seconds``
    (a machine busy with other work connects slowly, but it connects)."""
    shown = progressed = time.monotonic()
    last = -1
    while time.monotonic() - progressed < stall_seconds:
        connected, failed = total(swarms, "connected"), total(swarms, "failed")
        if connected + failed >= agents:
            break
        if any(swarm.process.returncode is not None for swarm in swarms):
            break
        if connected + failed != last:
            last, progressed = connected + failed, time.monotonic()
        if time.monotonic() - shown >= 10:
            print(f"  {connected:>6} / {agents} agents connected, {failed} failed", flush=True)
            shown = time.monotonic()
        await asyncio.sleep(0.5)


async def bench(args: argparse.Namespace) -> int:
    from programming.main import MIGRATIONS_DIR
    from servicekit.testing import DatabaseFactory, asyncpg_dsn, load_stack_env

    # Stopped by its PID (SIGTERM) like Ctrl-C: the run is cancelled, stops what it started
    # and drops its database.
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    soft, hard = raise_open_files(args.agents + FD_HEADROOM)
    print(f"RLIMIT_NOFILE {soft} (hard {hard}); inherited by the replica and the swarm")
    if soft < args.agents + FD_HEADROOM:
        print(
            f"the open-file limit {soft} allows at most {soft - FD_HEADROOM} agents in one "
            "process; raise the hard limit (ulimit -Hn) or pass a smaller --agents",
            file=sys.stderr,
        )
        return 2
    stack = load_stack_env()
    admin_url = stack["AOS_POSTGRES_ADMIN_URL"]
    factory = DatabaseFactory(admin_url)
    with tempfile.TemporaryDirectory(prefix="aos-swarm-") as temp:
        state = Path(temp)
        replica: subprocess.Popen[bytes] | None = None
        swarms: list[Swarm] = []
        try:
            database_url = await factory.create(MIGRATIONS_DIR)
            name = database_url.rsplit("/", 1)[1]
            dsn = asyncpg_dsn(database_url)
            print(f"database {name} (migrated; dropped at the end)")
            credentials = await insert_agents(dsn, args.agents)
            credentials_file = state / "credentials"
            credentials_file.touch(mode=0o600)
            credentials_file.write_text("\n".join(credentials))
            port = free_port()
            extra = dict(item.split("=", 1) for item in args.env)
            replica = start_replica(database_url, port, state, extra)
            wait_healthy(port, replica)
            rss_before = rss_kib(replica.pid)
            print(
                f"programming replica pid {replica.pid} on {HOST}:{port}, "
                f"RSS {rss_before / 1024:.1f} MiB before the agents"
            )
            url = f"ws://{HOST}:{port}/agent/ws"
            per_swarm = -(-args.agents // args.swarm)
            rate = args.connect_rate / args.swarm
            for index in range(args.swarm):
                first = index * per_swarm
                count = min(per_swarm, args.agents - first)
                if count > 0:
                    swarms.append(
                        await start_swarm(
                            url,
                            credentials_file,
                            first=first,
                            count=count,
                            rate=rate,
                            ping=args.ping_interval,
                        )
                    )
            connect_started = time.monotonic()
            await wait_connected(swarms, args.agents, stall_seconds=60)
            connected = total(swarms, "connected")
            print(
                f"{connected} agents connected in {time.monotonic() - connect_started:.1f} s "
                f"({total(swarms, 'failed')} failed)"
            )
            settle = HEARTBEAT_SECONDS + PRESENCE_FLUSH_SECONDS
            print(f"settling {settle} s, then measuring {args.window:g} s", flush=True)
            await asyncio.sleep(settle)
            closed_before = total(swarms, "closed")
            heartbeats_before = total(swarms, "heartbeats")
            writes_before = await database_writes(dsn, name)
            cpu_before, started = cpu_seconds(replica.pid), time.monotonic()
            await asyncio.sleep(args.window)
            cpu_after, elapsed = cpu_seconds(replica.pid), time.monotonic() - started
            writes_after = await database_writes(dsn, name)
            rss_with = rss_kib(replica.pid)
            heartbeats = total(swarms, "heartbeats") - heartbeats_before
            closed = total(swarms, "closed")
            live = connected - closed
            core_share = (cpu_after - cpu_before) / elapsed
            result = {
                "agents": args.agents,
                "connected": connected,
                "closed_during_window": closed - closed_before,
                "live_at_end": live,
                "heartbeats_per_second": heartbeats / elapsed,
                "cpu_share_of_core": core_share,
                "agents_per_core": live / core_share if core_share > 0 else float("inf"),
                "rss_before_mib": rss_before / 1024,
                "rss_with_agents_mib": rss_with / 1024,
                "kib_per_agent": (rss_with - rss_before) / max(live, 1),
                "db_commits_per_second": (writes_after[0] - writes_before[0]) / elapsed,
                "agent_rows_updated_per_second": (writes_after[1] - writes_before[1]) / elapsed,
                "window_seconds": elapsed,
            }
            print_table(result, args)
            if args.json:
                print(json.dumps(result, indent=2))
            codes: dict[str, int] = {}
            for swarm in swarms:
                for code, count in (swarm.stats.get("close_codes") or {}).items():
                    codes[code] = codes.get(code, 0) + count
            if codes:
                print(f"connections closed, by close code: {codes}")
            ok = connected == args.agents and closed == 0
            if not ok:
                log = (state / "programming.log").read_text(errors="replace").splitlines()
                print("the replica's last log lines:", *log[-15:], sep="\n  ", file=sys.stderr)
            return 0 if ok else 1
        finally:
            for swarm in swarms:
                if swarm.process.returncode is None:
                    swarm.process.send_signal(signal.SIGTERM)
            for swarm in swarms:
                try:
                    await asyncio.wait_for(swarm.process.wait(), 60)
                except TimeoutError:
                    swarm.process.kill()
                    await swarm.process.wait()
                if swarm.reader is not None:
                    await swarm.reader
            if replica is not None:
                stop_process(replica)
            await factory.drop_created()


def print_table(result: dict[str, Any], args: argparse.Namespace) -> None:
    ratio = result["agents_per_core"] / GOAL_AGENTS_PER_CORE
    rows = [
        ("agents connected", f"{result['connected']} / {result['agents']}", ""),
        ("closed by the service in the window", f"{result['closed_during_window']}", "0"),
        ("heartbeats answered / s", f"{result['heartbeats_per_second']:.0f}", ""),
        ("CPU of the replica (% of one core)", f"{result['cpu_share_of_core'] * 100:.1f} %", ""),
        (
            "agents per core",
            f"{result['agents_per_core']:,.0f}",
            f"{GOAL_AGENTS_PER_CORE:,} ({ratio:.2f}x)",
        ),
        (
            "RSS before / with agents (MiB)",
            f"{result['rss_before_mib']:.0f} / {result['rss_with_agents_mib']:.0f}",
            "",
        ),
        ("memory per agent (KiB)", f"{result['kib_per_agent']:.1f}", ""),
        ("database commits / s", f"{result['db_commits_per_second']:.1f}", ""),
        ("agent rows updated / s", f"{result['agent_rows_updated_per_second']:.1f}", ""),
    ]
    print()
    print(
        f"Idle agents on one programming replica: {result['agents']} agents, heartbeat "
        f"{HEARTBEAT_SECONDS} s, ping {args.ping_interval:g} s, "
        f"window {result['window_seconds']:.0f} s"
    )
    header = f"{'':<40}{'measured':>18}{'goal':>22}"
    print(header)
    print("-" * len(header))
    for label, value, goal in rows:
        print(f"{label:<40}{value:>18}{goal:>22}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000, help="idle agents (10000)")
    parser.add_argument(
        "--connect-rate", type=float, default=300.0, help="new connections per second (300)"
    )
    parser.add_argument(
        "--window", type=float, default=30.0, help="seconds measured once all are connected (30)"
    )
    parser.add_argument("--swarm", type=int, default=2, help="swarm processes (2)")
    parser.add_argument(
        "--ping-interval",
        type=float,
        default=5.0,
        help="WebSocket ping interval of each agent, as the real agent's (5); 0: no pings",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra environment variable for the replica (to compare settings)",
    )
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    # The swarm worker mode (started by the bench itself).
    parser.add_argument("--worker", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--credentials", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        credentials = args.credentials.read_text().splitlines()[
            args.first : args.first + args.count
        ]
        asyncio.run(
            run_swarm(
                args.worker,
                credentials,
                rate=args.connect_rate,
                ping_interval=args.ping_interval or None,
            )
        )
        return 0
    if args.agents < 1 or args.swarm < 1 or args.connect_rate <= 0 or args.window <= 0:
        parser.error("--agents, --swarm, --connect-rate and --window must be positive")
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
