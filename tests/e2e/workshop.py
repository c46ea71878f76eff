"""Steps a workshop takes through the gateway, shared by the end-to-end journeys.

Each step asserts what a person would check on the way, so a journey that uses it fails at the
step that broke.
"""

from __future__ import annotations

import email
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

POLL_TIMEOUT_S = 30.0
# Where conftest's report hook keeps each phase's report of a test ("setup", "call", ...).
PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@dataclass(frozen=True)
class Workshop:
    email: str
    auth: dict[str, str]


def agent_command(config_dir: Path, state_dir: Path, *args: str) -> list[str]:
    """The real VCI agent's command line with its own credential and state folders.

    The secret stays in the test's own folder: a test never writes to the keystore of whoever
    runs it.
    """
    return [
        sys.executable,
        "-m",
        "vci_agent",
        "--config-dir",
        str(config_dir),
        "--state-dir",
        str(state_dir),
        "--credential-store",
        "file",
        *args,
    ]


def _ephemeral_ports() -> tuple[int, int]:
    """The kernel's range for outgoing connections' local ports (Linux; else IANA's)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 49152, 65535


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port_base(offsets: tuple[int, ...]) -> int:
    """A base port whose ``base + offset`` ports are all free, below the ephemeral range when
    it leaves room: a port there is not taken by some outgoing connection between this check
    and the bind of the process that gets it (as happened with bases the kernel handed out)."""
    low, _ = _ephemeral_ports()
    span = max(offsets)
    first, last = 10_000, low - 1 - span
    if last < first:
        first, last = 1024, 65_535 - span
    for _ in range(200):
        base = random.randint(first, last)
        if all(_port_free(base + offset) for offset in offsets):
            return base
    raise RuntimeError("no free port range on 127.0.0.1")


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = 15.0) -> None:
    """SIGTERM a process this test started, SIGKILL it when it does not end in ``timeout``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


def poll(call: Any, until: Any, timeout: float = POLL_TIMEOUT_S) -> httpx.Response:
    """Call until ``until(response)`` holds or the time is up; returns the last response."""
    deadline = time.monotonic() + timeout
    while True:
        response: httpx.Response = call()
        if until(response) or time.monotonic() > deadline:
            return response
        time.sleep(0.25)


def wait_for_mail(maildir: Path, recipient: str) -> EmailMessage:
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while time.monotonic() < deadline:
        for path in sorted(maildir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if recipient in str(message["To"]):
                assert isinstance(message, EmailMessage)
                return message
        time.sleep(0.2)
    raise AssertionError(f"no mail to {recipient} within {POLL_TIMEOUT_S} s in {maildir}")


def verification_link(message: EmailMessage) -> str:
    """The portal link in the verification mail's plain-text body."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    for word in body.get_content().split():
        if "verify-email?token=" in word:
            return word.strip("<>()")
    raise AssertionError("the verification mail has no link")


def verification_token(message: EmailMessage) -> str:
    return parse_qs(urlsplit(verification_link(message)).query)["token"][0]


def register_and_log_in(http: httpx.Client, maildir: Path, *, company: str) -> Workshop:
    """register → verify e-mail → enrol TOTP → log in; returns the access token header."""
    mail = f"owner-{uuid.uuid4().hex[:8]}@werkstatt.example"
    password = "correct horse battery staple"
    registered = http.post(
        "/identity/organizations",
        json={
            "company_name": company,
            "country": "DE",
            "vat_id": "DE811907980",
            "owner_name": "Anna Müller",
            "email": mail,
            "password": password,
        },
    )
    assert registered.status_code == 201, registered.text

    token = verification_token(wait_for_mail(maildir, mail))
    assert http.post("/identity/email-verifications", json={"token": token}).status_code == 200

    login = {"email": mail, "password": password}
    refused = problem(http.post("/identity/auth/login", json=login), 403)
    assert refused["type"].endswith("totp-enrolment-required")
    enrol_auth = {"authorization": f"Bearer {refused['enrolment_token']}"}
    enrolment = http.post("/identity/totp/enrolment", headers=enrol_auth)
    assert enrolment.status_code == 200, enrolment.text
    assert enrolment.json()["qr_svg"].lstrip().startswith(("<svg", "<?xml"))
    totp = pyotp.TOTP(enrolment.json()["secret"])
    confirmed = http.post(
        "/identity/totp/enrolment/confirm", headers=enrol_auth, json={"code": totp.now()}
    )
    assert confirmed.status_code == 200, confirmed.text

    # The confirmation used the current time step; a step is never accepted twice, so log in
    # with the next one (inside the accepted window).
    logged_in = http.post(
        "/identity/auth/login", json={**login, "totp_code": totp.at(time.time() + 30)}
    )
    assert logged_in.status_code == 200, logged_in.text
    auth = {"authorization": f"Bearer {logged_in.json()['access_token']}"}
    me = http.get("/identity/me", headers=auth).json()
    assert me["organization"]["name"] == company
    return Workshop(email=mail, auth=auth)


COMPANY_ADDRESS = {"street": "Hauptstrasse 5", "postcode": "10115", "city": "Berlin"}
# What billing answers while identity's company data (with the address) is on its way to it.
COMPANY_DATA_PENDING = ("company-data-missing", "company-address-missing")


def buy_pass(
    http: httpx.Client,
    workshop: Workshop,
    product_code: str,
    *,
    payment_headers: dict[str, str] | None = None,
) -> None:
    """Complete the company address (every invoice shows it), order a pass, pay with the test
    provider (sending ``payment_headers`` too), wait until the order is paid."""
    profile = http.patch(
        "/identity/organizations/current", json=COMPANY_ADDRESS, headers=workshop.auth
    )
    assert profile.status_code == 200, profile.text
    key = str(uuid.uuid4())
    # Billing learns the company data (for the VAT and the invoice) from identity's events, a
    # moment after the change; until then it answers 409 (the key stays free).
    order = poll(
        lambda: http.post(
            "/billing/orders",
            json={"product_code": product_code},
            headers={**workshop.auth, "Idempotency-Key": key},
        ),
        lambda r: r.status_code != 409 or r.json().get("code") not in COMPANY_DATA_PENDING,
    )
    assert order.status_code == 201, order.text
    order_id = order.json()["id"]
    paying = http.post(
        f"/billing/orders/{order_id}/payment",
        headers={**workshop.auth, "Idempotency-Key": str(uuid.uuid4()), **(payment_headers or {})},
    )
    assert paying.status_code == 202, paying.text
    paid = poll(
        lambda: http.get(f"/billing/orders/{order_id}", headers=workshop.auth),
        lambda r: r.json().get("status") == "paid",
    )
    assert paid.json()["status"] == "paid", paid.text
