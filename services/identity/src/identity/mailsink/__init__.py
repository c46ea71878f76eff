"""A development and test SMTP sink: accepts every mail, keeps it, delivers nothing.

In-process (tests)::

    async with MailSink(port=0) as sink:          # port 0: any free port, see sink.port
        ...                                       # point IDENTITY_SMTP_PORT at sink.port
        mail = await sink.wait_for(recipient="max@example.org")
        token = extract_verification_token(mail.message)

As a process (``make run``, end-to-end tests)::

    python -m identity.mailsink --host 127.0.0.1 --port 8125 --maildir .local/mail

and read the ``.eml`` files with :func:`read_maildir`.
"""

from __future__ import annotations

from identity.mailsink.messages import (
    extract_link_token,
    extract_verification_token,
    message_text,
    read_maildir,
)
from identity.mailsink.server import MailSink, ReceivedMail

__all__ = [
    "MailSink",
    "ReceivedMail",
    "extract_link_token",
    "extract_verification_token",
    "message_text",
    "read_maildir",
]
