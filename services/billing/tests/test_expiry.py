"""Expiry warnings by e-mail: the per-organisation setting, the job that queues one warning per
end of coverage, and its delivery to a local SMTP sink (the outside boundary)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from billing.services.expiry import deliver_expiry_warnings, queue_expiry_warnings
from billing.services.expiry_mail import SmtpServer
from servicekit.testing import assert_problem

from .conftest import Billing, Org


class SmtpSink:
    """An SMTP server in the test's event loop that keeps what it receives."""

    def __init__(self) -> None:
        self.mails: list[tuple[tuple[str, ...], Message]] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        self.mails.append((tuple(envelope.rcpt_tos), message_from_bytes(raw)))
        return "250 OK"

    async def start(self, port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: SMTP(self), "127.0.0.1", port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def sink() -> AsyncIterator[SmtpSink]:
    server = SmtpSink()
    await server.start()
    yield server
    await server.stop()


def smtp_for(port: int) -> SmtpServer:
    return SmtpServer(host="127.0.0.1", port=port, mail_from="AOS <no-reply@aos.example>")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def add_customer(billing: Billing, org: Org, *, invoice_email: str) -> None:
    await billing.sql(
        "INSERT INTO customers (organization_id, legal_name, country, invoice_email,"
        " source_updated_at) VALUES (:org, 'Muster Kfz GmbH', 'DE', :email, now())",
        org=org.id,
        email=invoice_email,
    )


async def choose(billing: Billing, org: Org, *, email: bool, hours_before: int) -> None:
    response = await billing.client.put(
        "/notifications/expiry",
        json={"email": email, "hours_before": hours_before},
        headers=org.headers,
    )
    assert response.status_code == 200, response.text


async def run_job(billing: Billing, sink_port: int, *, now: datetime | None = None) -> Any:
    now = now or datetime.now(UTC)
    database = billing.app.state.database
    async with database.transaction() as session:
        await queue_expiry_warnings(session, now=now)
    return await deliver_expiry_warnings(database, smtp=smtp_for(sink_port), now=now)


async def notices(billing: Billing) -> list[Any]:
    return await billing.sql(
        "SELECT organization_id, scope, window_end, recipient, status, attempts, last_error"
        " FROM expiry_notices ORDER BY created_at"
    )


async def test_expiry_mail_is_off_with_a_days_notice_until_chosen(billing: Billing) -> None:
    org = billing.org()

    response = await billing.client.get("/notifications/expiry", headers=org.headers)

    assert response.status_code == 200
    assert response.json() == {"email": False, "hours_before": 24}


async def test_the_choice_is_kept_per_organisation(billing: Billing) -> None:
    org, other = billing.org(), billing.org()

    await choose(billing, org, email=True, hours_before=48)
    mine = await billing.client.get("/notifications/expiry", headers=org.headers)
    theirs = await billing.client.get("/notifications/expiry", headers=other.headers)

    assert mine.json() == {"email": True, "hours_before": 48}
    assert theirs.json() == {"email": False, "hours_before": 24}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": True, "hours_before": 0}, "hours_before"),
        ({"email": True, "hours_before": 169}, "hours_before"),
        ({"email": True, "hours_before": "5"}, "hours_before"),
        ({"email": "yes", "hours_before": 5}, "email"),
        ({"email": True}, "hours_before"),
        ({"email": True, "hours_before": 5, "sms": True}, "sms"),
    ],
)
async def test_an_invalid_choice_is_a_422_naming_the_field(
    billing: Billing, body: dict[str, Any], field: str
) -> None:
    org = billing.org()

    response = await billing.client.put("/notifications/expiry", json=body, headers=org.headers)

    problem = assert_problem(response, 422, "validation-error")
    assert [error["field"] for error in problem["errors"]] == [field]


@pytest.mark.parametrize("role", ["technician", "accountant"])
async def test_only_owner_and_admin_choose_expiry_mails(billing: Billing, role: str) -> None:
    org = billing.org()
    token = billing.issuer.token(user_id=org.user_id, organization_id=org.id, roles=(role,))
    headers = {"authorization": f"Bearer {token}"}

    response = await billing.client.put(
        "/notifications/expiry", json={"email": True, "hours_before": 5}, headers=headers
    )

    assert_problem(response, 403, "role-forbidden")
    assert (await billing.client.get("/notifications/expiry", headers=org.headers)).json()[
        "email"
    ] is False


async def test_a_pass_ending_soon_is_warned_once_to_the_invoice_address(
    billing: Billing, sink: SmtpSink
) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=24)
    await billing.buy(org, "AIR_1D")  # ends within 24 hours from now

    first = await run_job(billing, sink.port)
    second = await run_job(billing, sink.port)

    assert (first.sent, second.sent) == (1, 0)
    assert len(sink.mails) == 1
    recipients, mail = sink.mails[0]
    assert recipients == ("office@muster-kfz.example",)
    assert "repair information (AIR)" in str(mail["Subject"])
    assert "Muster Kfz GmbH" in mail.get_payload()
    rows = await notices(billing)
    assert [(r.organization_id, r.scope, r.status) for r in rows] == [(org.id, "AIR", "sent")]


async def test_no_warning_while_a_pass_is_queued_after_the_running_one(
    billing: Billing, sink: SmtpSink
) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=2)
    await billing.buy(org, "AIR_1H")  # ends within the hour ...
    await billing.buy(org, "AIR_1D")  # ... but this one follows it

    result = await run_job(billing, sink.port)

    assert result.sent == 0
    assert sink.mails == []
    assert await notices(billing) == []


async def test_no_warning_when_off_far_from_the_end_or_without_an_invoice_address(
    billing: Billing, sink: SmtpSink
) -> None:
    off, far, no_address = billing.org(), billing.org(), billing.org()
    await add_customer(billing, off, invoice_email="off@kfz.example")
    await add_customer(billing, far, invoice_email="far@kfz.example")
    await add_customer(billing, no_address, invoice_email="")
    await choose(billing, off, email=False, hours_before=24)
    await choose(billing, far, email=True, hours_before=1)
    await choose(billing, no_address, email=True, hours_before=24)
    for org in (off, far, no_address):
        await billing.buy(org, "AIR_1D")

    await run_job(billing, sink.port)

    assert sink.mails == []
    assert await notices(billing) == []


async def test_a_later_end_gets_its_own_warning(billing: Billing, sink: SmtpSink) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=24)
    await billing.buy(org, "PROGRAMMING_1H")
    await run_job(billing, sink.port)
    await billing.buy(org, "PROGRAMMING_1H")  # coverage now ends an hour later

    await run_job(billing, sink.port)

    rows = await notices(billing)
    assert [(r.scope, r.status) for r in rows] == [("PROGRAMMING", "sent")] * 2
    assert rows[1].window_end - rows[0].window_end == timedelta(hours=1)
    assert len(sink.mails) == 2


async def test_a_warning_is_kept_while_smtp_is_away_and_sent_when_it_is_back(
    billing: Billing,
) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=24)
    await billing.buy(org, "AIR_1D")
    port = free_port()  # nothing listens there yet

    away = await run_job(billing, port)
    (queued,) = await notices(billing)
    sink = SmtpSink()
    await sink.start(port)
    try:
        back = await run_job(billing, port)
    finally:
        await sink.stop()

    assert (away.sent, away.failed) == (0, 1)
    assert (queued.status, queued.attempts) == ("queued", 1)
    assert queued.last_error
    assert back.sent == 1
    assert len(sink.mails) == 1
    (sent,) = await notices(billing)
    assert (sent.status, sent.attempts) == ("sent", 2)


async def test_a_queued_warning_made_untrue_by_a_new_pass_is_not_sent(
    billing: Billing, sink: SmtpSink
) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=24)
    await billing.buy(org, "AIR_1D")
    port = free_port()
    await run_job(billing, port)  # queued, SMTP away
    await billing.buy(org, "AIR_1W")  # coverage now lasts another week

    now = datetime.now(UTC)
    result = await deliver_expiry_warnings(
        billing.app.state.database, smtp=smtp_for(sink.port), now=now
    )

    assert (result.sent, result.obsolete) == (0, 1)
    assert sink.mails == []
    assert [r.status for r in await notices(billing)] == ["obsolete"]


async def test_the_background_job_of_the_app_mails_the_warning(
    start_billing: Any, sink: SmtpSink
) -> None:
    async with start_billing(
        run_background_workers=True,
        expiry_check_interval_seconds=0.2,
        smtp_port=sink.port,
        idempotency_sweep_seconds=0,
        payment_reconcile_interval_seconds=0,
    ) as billing:
        org = billing.org()
        await add_customer(billing, org, invoice_email="office@muster-kfz.example")
        await choose(billing, org, email=True, hours_before=24)
        await billing.buy(org, "PROGRAMMING_1D")

        # Marked sent in the same transaction that handed the mail over: wait for the state.
        deadline = time.monotonic() + 15
        while True:
            rows = await notices(billing)
            if [r.status for r in rows] == ["sent"]:
                break
            assert time.monotonic() < deadline, f"no expiry mail sent: {rows}"
            await asyncio.sleep(0.1)

    # The purchase's invoice goes to the same address; the warning is the one other mail.
    warnings = [m for m in sink.mails if not str(m[1]["Subject"]).startswith("Invoice")]
    [(recipients, mail)] = warnings
    assert recipients == ("office@muster-kfz.example",)
    assert "remote programming" in str(mail["Subject"])
    assert rows[0].organization_id == org.id


async def test_two_processes_delivering_at_once_send_a_warning_once(
    billing: Billing, sink: SmtpSink
) -> None:
    org = billing.org()
    await add_customer(billing, org, invoice_email="office@muster-kfz.example")
    await choose(billing, org, email=True, hours_before=24)
    await billing.buy(org, "AIR_1D")
    await billing.buy(billing.org(), "AIR_1D")  # an organisation that did not ask
    now = datetime.now(UTC)
    database = billing.app.state.database
    async with database.transaction() as session:
        assert await queue_expiry_warnings(session, now=now) == 1
    async with database.transaction() as session:
        assert await queue_expiry_warnings(session, now=now) == 0  # known already

    results = await asyncio.gather(
        *(deliver_expiry_warnings(database, smtp=smtp_for(sink.port), now=now) for _ in range(4))
    )

    assert sum(result.sent for result in results) == 1
    assert len(sink.mails) == 1
    assert [r.status for r in await notices(billing)] == ["sent"]
