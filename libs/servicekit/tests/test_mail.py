"""servicekit.mail: message building (with attachments) and the retry classification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiosmtplib

from servicekit.mail import (
    Attachment,
    OutgoingMessage,
    build_message,
    is_permanent,
    retry_delay,
)

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_a_message_carries_its_attachments_byte_for_byte() -> None:
    pdf = b"%PDF-1.7\n\x00\xff binary"
    message = build_message(
        OutgoingMessage(
            subject="Invoice AOS-2026-000001",
            body="Attached.",
            attachments=(Attachment("AOS-2026-000001.pdf", pdf, "application/pdf"),),
        ),
        recipient="rechnungen@werkstatt.example",
        mail_from="AOS Billing <billing@aos.example>",
        now=NOW,
        id_string="invoice-mail7",
    )

    assert message["To"] == "rechnungen@werkstatt.example"
    assert message["Message-ID"].endswith("@aos.example>")
    assert "invoice-mail7" in message["Message-ID"]
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().strip() == "Attached."
    attachments = list(message.iter_attachments())
    assert [(part.get_filename(), part.get_content_type()) for part in attachments] == [
        ("AOS-2026-000001.pdf", "application/pdf")
    ]
    assert attachments[0].get_payload(decode=True) == pdf


def test_a_message_without_attachments_is_plain_text() -> None:
    message = build_message(
        OutgoingMessage(subject="Hello", body="Hi."),
        recipient="a@b.example",
        mail_from="no-reply@aos.example",
        now=NOW,
        id_string="mail1",
    )
    assert message.get_content_type() == "text/plain"


def test_only_a_5xx_answer_is_permanent() -> None:
    assert is_permanent(aiosmtplib.SMTPResponseException(550, "no such user"))
    assert not is_permanent(aiosmtplib.SMTPResponseException(451, "try later"))
    assert not is_permanent(ConnectionRefusedError())
    refused = aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(550, "no", "a@b.example")]
    )
    assert is_permanent(refused)


def test_retries_double_up_to_a_cap() -> None:
    assert [retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(seconds=5),
        timedelta(seconds=10),
        timedelta(seconds=20),
    ]
    assert retry_delay(100) == timedelta(minutes=15)
