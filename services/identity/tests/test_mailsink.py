"""The SMTP sink, in-process and as the `python -m identity.mailsink` process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import pytest

from identity.domain.mail import verification_mail
from identity.mailsink import MailSink, extract_verification_token, read_maildir


def verification_message(to: str, token: str) -> EmailMessage:
    content = verification_mail(
        name="Max", portal_url="http://portal.test", token=token, hours_valid=24
    )
    message = EmailMessage()
    message["From"] = "AOS <no-reply@aos.example>"
    message["To"] = to
    message["Subject"] = content.subject
    message.set_content(content.body)
    return message


async def test_sink_collects_mail_in_memory(tmp_path: Path) -> None:
    async with MailSink(port=0) as sink:
        await aiosmtplib.send(
            verification_message("max@workshop.example", "tok-1"),
            hostname="127.0.0.1",
            port=sink.port,
        )
        mail = await sink.wait_for(recipient="MAX@workshop.example")
    assert mail.recipients == ("max@workshop.example",)
    assert mail.subject == "Confirm your e-mail address for AOS"
    assert extract_verification_token(mail.message) == "tok-1"


async def test_sink_writes_each_mail_as_an_eml_file(tmp_path: Path) -> None:
    maildir = tmp_path / "mail"
    async with MailSink(port=0, maildir=maildir) as sink:
        for n in range(2):
            await aiosmtplib.send(
                verification_message(f"user{n}@workshop.example", f"tok-{n}"),
                hostname="127.0.0.1",
                port=sink.port,
            )
        await sink.wait_for(count=2)
    messages = read_maildir(maildir)
    assert [extract_verification_token(m) for m in messages] == ["tok-0", "tok-1"]
    assert not list(maildir.glob(".*.part"))


async def test_waiting_for_mail_that_never_comes_times_out() -> None:
    async with MailSink(port=0) as sink:
        with pytest.raises(TimeoutError):
            await sink.wait_for(recipient="nobody@workshop.example", seconds=0.2)


def test_token_helper_reads_the_code_line_when_there_is_no_link() -> None:
    assert extract_verification_token("Verification code: abc_DEF-123\n") == "abc_DEF-123"


def test_token_helper_refuses_a_mail_without_token() -> None:
    with pytest.raises(ValueError, match="no verification link or code"):
        extract_verification_token("Hello, nothing here.")


def test_reading_a_missing_maildir_gives_no_mail(tmp_path: Path) -> None:
    assert read_maildir(tmp_path / "absent") == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_sink_process_writes_mail_to_its_maildir(tmp_path: Path) -> None:
    port = free_port()
    maildir = tmp_path / "mail"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "identity.mailsink",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--maildir",
        str(maildir),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 30)
        assert b"listening on 127.0.0.1:" in banner
        await aiosmtplib.send(
            verification_message("e2e@workshop.example", "tok-e2e"),
            hostname="127.0.0.1",
            port=port,
        )
        announced = await asyncio.wait_for(process.stdout.readline(), 10)
        assert b"e2e@workshop.example" in announced
        assert b"tok-e2e" not in announced
        messages = read_maildir(maildir)
        assert [extract_verification_token(m) for m in messages] == ["tok-e2e"]
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 10)
    assert process.returncode == 0


async def test_sink_cli_help_describes_the_options() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "identity.mailsink",
        "--help",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    for option in (b"--host", b"--port", b"--maildir"):
        assert option in out
