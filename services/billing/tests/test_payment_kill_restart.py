"""Billing killed right after it answered 202 to a payment: after a restart the order is paid
and its pass granted, exactly once.

Billing runs as a real process (``python -m billing serve``) on a free port, with a fresh
database and its tokens checked against a JWKS served by this test over HTTP. It is killed with
SIGKILL, so nothing of its memory survives: only what it committed.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from servicekit.testing import TestTokenIssuer, asyncpg_dsn

START_TIMEOUT_S = 60.0
PAID_TIMEOUT_S = 30.0
# Long enough that the callback is surely not sent between the 202 and the kill.
CALLBACK_DELAY_SECONDS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def jwks_url(token_issuer: TestTokenIssuer) -> Iterator[str]:
    """The test issuer's keys over real HTTP, as identity publishes them."""
    body = json.dumps(token_issuer.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def billing_process(
    database_url: str,
    jwks_url: str,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
    tmp_path: Path,
) -> Iterator[Callable[[], tuple[subprocess.Popen[bytes], str]]]:
    """``start()`` runs billing on one port (the same for every start, as a restart would);
    returns the process and its base URL once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AOS_ENVIRONMENT": "test",
        "AOS_JWKS_URL": jwks_url,
        "AOS_TOPIC_NAMESPACE": topic_namespace,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "BILLING_DATABASE_URL": database_url,
        "BILLING_HOST": "127.0.0.1",
        "BILLING_PORT": str(port),
        "BILLING_PAYMENT_WEBHOOK_URL": f"{base}/payments/webhook",
        "BILLING_PAYMENT_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "BILLING_TEST_PROVIDER_DELAY_SECONDS": str(CALLBACK_DELAY_SECONDS),
        "BILLING_MIGRATE_ON_START": "false",
        "BILLING_SEED_ON_START": "true",
    }
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> tuple[subprocess.Popen[bytes], str]:
        log = (tmp_path / f"billing-{len(processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "billing", "serve"], env=env, stdout=log, stderr=log
        )
        processes.append(process)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert process.poll() is None, f"billing exited with {process.returncode}"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    return process, base
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "billing did not start"
            time.sleep(0.1)

    try:
        yield start
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def test_an_order_paid_just_before_a_kill_is_paid_and_granted_once_after_restart(
    billing_process: Callable[[], tuple[subprocess.Popen[bytes], str]],
    token_issuer: TestTokenIssuer,
    database_url: str,
) -> None:
    org_id, user_id = uuid.uuid4(), uuid.uuid4()
    token = token_issuer.token(user_id=user_id, organization_id=org_id)
    headers = {"authorization": f"Bearer {token}"}
    # Billing's copy of the company data, as identity's events would leave it.
    await fetch(
        database_url,
        "INSERT INTO customers (organization_id, legal_name, country, source_updated_at) "
        "VALUES ($1, 'Muster Kfz GmbH', 'DE', now()) RETURNING organization_id",
        org_id,
    )
    process, base = billing_process()
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        placed = await client.post(
            "/orders",
            json={"product_code": "AIR_1D"},
            headers={"idempotency-key": uuid.uuid4().hex},
        )
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["id"]
        paying = await client.post(
            f"/orders/{order_id}/payment", headers={"idempotency-key": uuid.uuid4().hex}
        )
        process.send_signal(signal.SIGKILL)
        assert paying.status_code == 202, paying.text
    process.wait(timeout=10)
    # The kill came before the callback: the order is still waiting for it.
    [order] = await fetch(database_url, "SELECT status FROM orders WHERE id = $1", order_id)
    assert order["status"] == "pending_payment"

    _, base = billing_process()

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:
        deadline = time.monotonic() + PAID_TIMEOUT_S
        while (status := (await client.get(f"/orders/{order_id}")).json()["status"]) != "paid":
            assert time.monotonic() < deadline, f"the order is still {status} after the restart"
            await asyncio.sleep(0.1)
        entitlements = (await client.get("/entitlements")).json()["items"]
    assert [e["order_id"] for e in entitlements] == [order_id]
    events = await fetch(database_url, "SELECT event_type FROM outbox ORDER BY id")
    assert sorted(row["event_type"] for row in events) == [
        "aos.events.v1.EntitlementGranted",
        "aos.events.v1.InvoiceIssued",
        "aos.events.v1.OrderPaid",
    ]
