"""Reading what the sink received: stored ``.eml`` files and the verification token."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

__all__ = [
    "extract_link_token",
    "extract_verification_token",
    "message_text",
    "parse_message",
    "read_maildir",
]

# The link `.../verify-email?token=<token>` or the line `Verification code: <token>`.
_LINK_TOKEN = re.compile(r"/verify-email\?token=([A-Za-z0-9_\-]+)")
_CODE_LINE = re.compile(r"^Verification code:\s*([A-Za-z0-9_\-]+)\s*$", re.MULTILINE)


def parse_message(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def message_text(message: EmailMessage) -> str:
    """The plain-text body of ``message`` (empty if it has none)."""
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def extract_verification_token(message: EmailMessage | str) -> str:
    """The e-mail verification token in a verification mail (or in its text).

    Raises ValueError if the mail carries none.
    """
    text = message if isinstance(message, str) else message_text(message)
    found = _LINK_TOKEN.search(text) or _CODE_LINE.search(text)
    if found is None:
        raise ValueError("the mail contains no verification link or code")
    return found.group(1)


def extract_link_token(message: EmailMessage | str, *, page: str) -> str:
    """The token of the portal link ``/<page>?token=<token>`` in a mail (password reset:
    ``reset-password``, e-mail change: ``confirm-email-change``). Raises ValueError if the
    mail has no such link."""
    text = message if isinstance(message, str) else message_text(message)
    found = re.search(rf"/{re.escape(page)}\?token=([A-Za-z0-9_\-]+)", text)
    if found is None:
        raise ValueError(f"the mail contains no /{page} link")
    return found.group(1)


def read_maildir(directory: Path) -> list[EmailMessage]:
    """Every ``.eml`` file the sink wrote to ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    return [parse_message(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]
