"""``python -m identity.mailsink``: run the SMTP sink as a process until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from identity.mailsink.server import MailSink, ReceivedMail


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m identity.mailsink",
        description=(
            "Development SMTP sink: accepts every mail and delivers nothing. Each mail is "
            "kept as an .eml file in --maildir (when given) for people and tests to read."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8125, help="port to listen on (0: any)")
    parser.add_argument("--maildir", type=Path, default=None, help="folder for .eml files")
    return parser


def _announce(mail: ReceivedMail) -> None:
    # Who and what about, never the content: verification mails carry tokens.
    print(f"mailsink: mail to {', '.join(mail.recipients)}: {mail.subject}", flush=True)


async def _run(host: str, port: int, maildir: Path | None) -> None:
    sink = MailSink(host=host, port=port, maildir=maildir, on_mail=_announce)
    await sink.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    target = f", writing mail into {maildir}" if maildir is not None else ""
    print(f"mailsink: listening on {host}:{sink.port}{target}", flush=True)
    try:
        await stop.wait()
    finally:
        await sink.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        asyncio.run(_run(args.host, args.port, args.maildir))
    except OSError as exc:
        print(f"mailsink: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
