"""Event latency from billing to air: from the commit of a change in billing to its effect in air.

Creates a billing and an air database of its own on the running stack's PostgreSQL (clones of
the migrated templates of ``servicekit.testing.DatabaseFactory``, dropped at the end) and a
Kafka topic namespace of its own, and runs the real billing and air apps with their background
workers: billing's outbox relay and air's event consumers, as a service runs them. Then
``--clients`` clients each commit, one after the other, an ``EntitlementGranted`` in billing's
outbox (billing's own writer, in a transaction of billing's database) and wait until air has
applied it. The moment air's consumer commits the entitlement is taken from PostgreSQL itself:
a trigger added to this run's air database sends a notification on insert, which PostgreSQL
delivers at commit, to a connection of this bench that listens. The latency of one event is
from billing's commit returning to that notification arriving, both seen by the same process.

``--apps apart`` (the default) runs billing and air each in a process of its own, as a
deployment does; ``--apps together`` runs both apps and the clients in this one process and one
event loop, where every stage competes with every other for one core (and one garbage
collector): it measures the bench as much as the services.

``--writer other`` (the default) writes through a connection pool of its own, as a request on
another replica of billing does: only what crosses the database can wake the relay. With
``--apps apart`` the clients then run in this process. ``--writer relay`` writes through the
billing app's own pool, the relay's process (with ``--apps apart`` the clients run in billing's
process and send their figures back).

Warm-up, not measured: the first event (it creates the topic and waits for air's consumers to
have their partitions), then ``--warm-up-events`` per client (pools filled, consumers settled in
their groups: a rebalance right after the topics appear would otherwise be measured).

Load: without ``--rate`` each client commits its next event as soon as the previous one has
arrived, so the system runs saturated and the latency is mostly queueing behind other events.
``--rate`` offers a fixed number of events per second over all the clients instead, as a
service's traffic arrives; a client that runs late sends its next event at once.

Exits non-zero only when an event does not arrive within ``--timeout`` s (never on a timing).
Needs the stack's PostgreSQL and Kafka (``AOS_POSTGRES_ADMIN_URL`` and ``KAFKA_BOOTSTRAP_SERVERS``,
or ``.local/stack.env``). Usage: ``python tests/bench/event_latency_bench.py [--clients 16]
[--events 800] [--writer other|relay] [--apps apart|together] [--rate 100]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from fastapi import FastAPI

from air.config import Settings as AirSettings
from air.main import MIGRATIONS_DIR as AIR_MIGRATIONS
from air.main import create_app as create_air_app
from aos.events.v1 import billing_pb2
from billing.config import Settings as BillingSettings
from billing.events.publishing import OUTBOX
from billing.main import MIGRATIONS_DIR as BILLING_MIGRATIONS
from billing.main import create_app as create_billing_app
from servicekit.db import Database
from servicekit.testing import (
    DatabaseFactory,
    TestTokenIssuer,
    asyncpg_dsn,
    load_stack_env,
    require_stack,
    running_app,
    timestamp,
)

CHANNEL = "bench_entitlement_applied"
# Sends the entitlement id when air's consumer inserts its window; delivered at commit.
TRIGGER_SQL = f"""
CREATE FUNCTION bench_notify_applied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', NEW.entitlement_id::text);
    RETURN NEW;
END $$;
CREATE TRIGGER bench_applied AFTER INSERT ON entitlements
    FOR EACH ROW EXECUTE FUNCTION bench_notify_applied();
"""
WARM_UP_TIMEOUT_SECONDS = 90.0


class Arrivals:
    """Futures of the entitlements awaited, resolved by air's commit notifications."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[float]] = {}

    def expect(self, entitlement_id: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[entitlement_id] = future
        return future

    def on_notification(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        future = self._waiting.pop(payload, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())


def grant(organization_id: uuid.UUID) -> billing_pb2.EntitlementGranted:
    now = datetime.now(UTC)
    return billing_pb2.EntitlementGranted(
        entitlement_id=str(uuid.uuid4()),
        organization_id=str(organization_id),
        scope=billing_pb2.SCOPE_AIR,
        valid_from=timestamp(now),
        valid_until=timestamp(now + timedelta(hours=1)),
        order_id=str(uuid.uuid4()),
    )


async def one_event(
    writer: Database, arrivals: Arrivals, organization_id: uuid.UUID, *, timeout: float
) -> float:
    """Commit one grant in billing; seconds until air has committed its effect."""
    message = grant(organization_id)
    arrived = arrivals.expect(message.entitlement_id)
    async with writer.transaction() as session:
        await OUTBOX.record(session, message, aggregate_id=str(organization_id))
    committed = time.perf_counter()
    async with asyncio.timeout(timeout):
        return await arrived - committed


async def client(
    writer: Database,
    arrivals: Arrivals,
    *,
    events: int,
    timeout: float,
    interval: float = 0.0,
    offset: float = 0.0,
) -> list[float]:
    """``events`` grants one after the other; with ``interval`` > 0, each starts at its slot
    (``offset`` + n x ``interval`` from now) or at once when the previous one ran late."""
    # One organisation per client: events of one key are applied in order, as in production.
    organization_id = uuid.uuid4()
    start = time.perf_counter() + offset
    latencies = []
    for number in range(events):
        if interval > 0:
            await asyncio.sleep(max(start + number * interval - time.perf_counter(), 0))
        latencies.append(await one_event(writer, arrivals, organization_id, timeout=timeout))
    return latencies


@asynccontextmanager
async def listening(dsn: str, arrivals: Arrivals) -> AsyncIterator[None]:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.add_listener(CHANNEL, arrivals.on_notification)
        yield
    finally:
        await connection.close()


def billing_app(*, database_url: str, bootstrap: str, namespace: str) -> FastAPI:
    return create_billing_app(
        BillingSettings(
            database_url=database_url,
            payment_webhook_secret=secrets.token_urlsafe(32),
            run_mail_sender=False,
            idempotency_sweep_seconds=0,
            stock_sweep_seconds=0,
            payment_reconcile_interval_seconds=0,
            expiry_check_interval_seconds=0,
            **app_settings(bootstrap=bootstrap, namespace=namespace),
        ),
        jwks_http=TestTokenIssuer().http_client(),
    )


def air_app(*, database_url: str, bootstrap: str, namespace: str) -> FastAPI:
    return create_air_app(
        AirSettings(
            database_url=database_url, **app_settings(bootstrap=bootstrap, namespace=namespace)
        ),
        jwks_http=TestTokenIssuer().http_client(),
    )


def app_settings(*, bootstrap: str, namespace: str) -> dict[str, Any]:
    return {
        "environment": "test",
        "kafka_bootstrap_servers": bootstrap,
        "topic_namespace": namespace,
        "migrate_on_start": False,
        "seed_on_start": False,
        "run_background_workers": True,
        "log_level": "WARNING",
    }


async def run_app(stack: AsyncExitStack, app: FastAPI) -> None:
    await stack.enter_async_context(running_app(app))
    # The apps configured logging (JSON on stderr): keep aiokafka's start-up chatter out.
    logging.getLogger().setLevel(logging.WARNING)


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(round(fraction * (len(sorted_values) - 1)), len(sorted_values) - 1)
    return sorted_values[index]


async def drive(writer: Database, *, air_dsn: str, args: argparse.Namespace) -> Measured:
    """Warm up, then run the measured load through ``writer``; the latencies in seconds."""
    arrivals = Arrivals()
    async with listening(air_dsn, arrivals):
        warm_up = await one_event(writer, arrivals, uuid.uuid4(), timeout=WARM_UP_TIMEOUT_SECONDS)
        await asyncio.gather(
            *(
                client(writer, arrivals, events=args.warm_up_events, timeout=args.timeout)
                for _ in range(args.clients)
            )
        )
        per_client = max(args.events // args.clients, 1)
        # --rate: the clients share the offered rate, their slots spread evenly.
        interval = args.clients / args.rate if args.rate > 0 else 0.0
        started = time.perf_counter()
        results = await asyncio.gather(
            *(
                client(
                    writer,
                    arrivals,
                    events=per_client,
                    timeout=args.timeout,
                    interval=interval,
                    offset=number * interval / args.clients,
                )
                for number in range(args.clients)
            )
        )
        elapsed = time.perf_counter() - started
    return Measured(
        warm_up=warm_up,
        latencies=[value for batch in results for value in batch],
        elapsed=elapsed,
    )


@dataclass(frozen=True)
class Measured:
    warm_up: float
    latencies: list[float]
    elapsed: float


# --apps apart: each app in a child process running this script with --serve. What a child
# needs comes in its environment (the database URLs hold a password: not on a command line).
ENV_DATABASE_URL = "BENCH_DATABASE_URL"
ENV_AIR_DSN = "BENCH_AIR_DSN"
ENV_NAMESPACE = "BENCH_TOPIC_NAMESPACE"
READY = "ready"
CHILD_STOP_SECONDS = 30.0


async def serve(args: argparse.Namespace) -> int:
    """Child process: run one app until stdin closes; billing with ``--writer relay`` drives
    the load itself and prints its figures as one JSON line."""
    bootstrap = load_stack_env()["KAFKA_BOOTSTRAP_SERVERS"]
    options = {
        "database_url": os.environ[ENV_DATABASE_URL],
        "bootstrap": bootstrap,
        "namespace": os.environ[ENV_NAMESPACE],
    }
    app = billing_app(**options) if args.serve == "billing" else air_app(**options)
    async with AsyncExitStack() as stack:
        await run_app(stack, app)
        print(READY, flush=True)
        if args.serve == "billing" and args.writer == "relay":
            try:
                measured = await drive(
                    app.state.database, air_dsn=os.environ[ENV_AIR_DSN], args=args
                )
            except TimeoutError:
                print(json.dumps({"timeout": True}), flush=True)
                return 1
            print(json.dumps(dataclasses.asdict(measured)), flush=True)
            return 0
        # Until the parent closes our stdin (or dies).
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    return 0


class Child:
    """An app in a process of its own (this script with ``--serve``)."""

    def __init__(self, process: asyncio.subprocess.Process, name: str) -> None:
        self.process = process
        self.name = name

    @classmethod
    async def start(cls, name: str, *, args: list[str], env: dict[str, str]) -> Child:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve",
            name,
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, **env},
        )
        child = cls(process, name)
        try:
            async with asyncio.timeout(WARM_UP_TIMEOUT_SECONDS):
                line = await child.line()
        except BaseException:
            await child.stop()
            raise
        if line != READY:
            await child.stop()
            raise RuntimeError(f"{name} did not start (exit {process.returncode})")
        return child

    async def line(self) -> str:
        assert self.process.stdout is not None
        return (await self.process.stdout.readline()).decode().strip()

    async def stop(self) -> None:
        if self.process.returncode is None and self.process.stdin is not None:
            self.process.stdin.close()
        try:
            async with asyncio.timeout(CHILD_STOP_SECONDS):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def apart(
    args: argparse.Namespace, *, billing_url: str, air_url: str, namespace: str
) -> Measured:
    """Billing and air each in a process of their own; the clients here or in billing."""
    air_dsn = asyncpg_dsn(air_url)
    passed = ["--writer", args.writer, "--clients", str(args.clients), "--events", str(args.events)]
    passed += ["--warm-up-events", str(args.warm_up_events), "--timeout", str(args.timeout)]
    passed += ["--rate", str(args.rate)]
    children: list[Child] = []
    try:
        children.append(
            await Child.start(
                "air", args=passed, env={ENV_DATABASE_URL: air_url, ENV_NAMESPACE: namespace}
            )
        )
        billing_env = {ENV_DATABASE_URL: billing_url, ENV_NAMESPACE: namespace}
        billing = await Child.start(
            "billing", args=passed, env={**billing_env, ENV_AIR_DSN: air_dsn}
        )
        children.append(billing)
        if args.writer == "relay":
            figures = json.loads(await billing.line() or "{}")
            if figures.get("timeout"):
                raise TimeoutError
            if "latencies" not in figures:
                raise RuntimeError("billing's process ended without its figures (see above)")
            return Measured(**figures)
        writer = Database(billing_url, pool_size=args.clients)
        try:
            return await drive(writer, air_dsn=air_dsn, args=args)
        finally:
            await writer.dispose()
    finally:
        for child in reversed(children):
            await child.stop()


async def together(
    args: argparse.Namespace, *, billing_url: str, air_url: str, namespace: str
) -> Measured:
    """Both apps and the clients in this process and event loop."""
    bootstrap = load_stack_env()["KAFKA_BOOTSTRAP_SERVERS"]
    async with AsyncExitStack() as stack:
        billing = billing_app(database_url=billing_url, bootstrap=bootstrap, namespace=namespace)
        await run_app(stack, billing)
        await run_app(
            stack, air_app(database_url=air_url, bootstrap=bootstrap, namespace=namespace)
        )
        if args.writer == "relay":
            writer: Database = billing.state.database
        else:
            writer = Database(billing_url, pool_size=args.clients)
            stack.push_async_callback(writer.dispose)
        return await drive(writer, air_dsn=asyncpg_dsn(air_url), args=args)


async def bench(args: argparse.Namespace) -> int:
    env = load_stack_env()
    factory = DatabaseFactory(env["AOS_POSTGRES_ADMIN_URL"])
    namespace = f"bench{uuid.uuid4().hex[:8]}."
    try:
        billing_url = await factory.create(BILLING_MIGRATIONS)
        air_url = await factory.create(AIR_MIGRATIONS)
        setup = await asyncpg.connect(asyncpg_dsn(air_url))
        try:
            await setup.execute(TRIGGER_SQL)
        finally:
            await setup.close()
        run = apart if args.apps == "apart" else together
        measured = await run(args, billing_url=billing_url, air_url=air_url, namespace=namespace)
    except TimeoutError:
        print(f"an event did not reach air within {args.timeout:g} s", file=sys.stderr)
        return 1
    finally:
        await factory.drop_created()
    print(f"warm-up: the first event took {measured.warm_up * 1000:.0f} ms (topic, group join)")
    latencies = sorted(value * 1000 for value in measured.latencies)
    where = "the relay's pool" if args.writer == "relay" else "another pool (another replica)"
    apps = "in processes of their own" if args.apps == "apart" else "in one process"
    offered = f"offered {args.rate:g}/s" if args.rate > 0 else "as fast as they go"
    print(
        f"billing -> air (apps {apps}), {len(latencies)} events, {args.clients} clients "
        f"({offered}), written through {where}, {len(latencies) / measured.elapsed:.0f} events/s"
    )
    print(
        f"  latency ms: p50 {percentile(latencies, 0.50):.1f}  "
        f"p95 {percentile(latencies, 0.95):.1f}  p99 {percentile(latencies, 0.99):.1f}  "
        f"max {latencies[-1]:.1f}  mean {statistics.fmean(latencies):.1f}"
    )
    print(f"  goal p99 <= 50 ms: {'met' if percentile(latencies, 0.99) <= 50 else 'not met'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent writers (16)")
    parser.add_argument("--events", type=int, default=800, help="events over all clients (800)")
    parser.add_argument(
        "--writer",
        choices=("other", "relay"),
        default="other",
        help="commit through another pool than the relay's (another replica), or the relay's",
    )
    parser.add_argument(
        "--apps",
        choices=("apart", "together"),
        default="apart",
        help="billing and air in processes of their own (apart), or all in this one",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="events per second offered over all clients; 0 (default): each client commits its "
        "next event as soon as the previous one has arrived, which measures the saturated system",
    )
    parser.add_argument(
        "--warm-up-events",
        type=int,
        default=20,
        help="unmeasured events per client before the measured ones (20)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds one event may take at most (30)"
    )
    parser.add_argument("--serve", choices=("billing", "air"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return asyncio.run(serve(args))
    if args.rate < 0 or args.clients < 1 or args.events < 1:
        parser.error("--rate must be 0 or more; --clients and --events positive")
    # A missing stack is one line and a non-zero exit, not a traceback.
    require_stack(kafka=True)
    return asyncio.run(bench(args))


if __name__ == "__main__":
    raise SystemExit(main())
