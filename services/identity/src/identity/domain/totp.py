"""TOTP (RFC 6238): 30-second steps, 6 digits, HMAC-SHA-1, and the no-replay rule.

SHA-1 is what every authenticator app implements for ``otpauth://`` URIs; HMAC-SHA-1 has no
known weakness that matters for one-time codes. A code is accepted for the current step and one
step either side (clock drift), and a step is never accepted twice for the same user: the last
accepted step is stored and any code for that step or an earlier one is refused.
"""

from __future__ import annotations

import hmac
import io
import re
from dataclasses import dataclass
from enum import Enum

import pyotp
import segno

__all__ = [
    "TOTP_DIGITS",
    "TOTP_INTERVAL_SECONDS",
    "TOTP_ISSUER",
    "TOTP_VALID_WINDOW",
    "TotpCheck",
    "TotpOutcome",
    "check_totp",
    "looks_like_totp_code",
    "new_totp_secret",
    "provisioning_uri",
    "qr_svg",
    "time_step",
]

TOTP_INTERVAL_SECONDS = 30
TOTP_DIGITS = 6
TOTP_ISSUER = "AOS"
# Steps accepted either side of the current one: covers a phone clock 30 s off and a code
# typed in its last seconds.
TOTP_VALID_WINDOW = 1

_CODE = re.compile(r"\d{6}")


class TotpOutcome(Enum):
    ACCEPTED = "accepted"
    REUSED = "reused"
    INVALID = "invalid"


@dataclass(frozen=True)
class TotpCheck:
    outcome: TotpOutcome
    # The time step the code belongs to; None when it matches no step in the window.
    step: int | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is TotpOutcome.ACCEPTED


def new_totp_secret() -> str:
    """A fresh base32 secret of 160 bits (the HMAC-SHA-1 key size RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL_SECONDS)


def time_step(unix_time: float) -> int:
    """The RFC 6238 counter for ``unix_time`` (seconds since the epoch)."""
    return int(unix_time // TOTP_INTERVAL_SECONDS)


def looks_like_totp_code(value: str) -> bool:
    """Whether ``value`` has the shape of a TOTP code (six digits, spaces ignored)."""
    return _CODE.fullmatch(value.replace(" ", "")) is not None


def check_totp(
    secret: str,
    code: str,
    *,
    unix_time: float,
    last_used_step: int | None,
    valid_window: int = TOTP_VALID_WINDOW,
) -> TotpCheck:
    """Check ``code`` at ``unix_time`` against ``secret``, refusing already-used steps.

    Returns ACCEPTED with the matched step (store it as the new last used step), REUSED when
    the code is right but its step is not after ``last_used_step``, INVALID otherwise.
    """
    candidate = code.replace(" ", "")
    if _CODE.fullmatch(candidate) is None:
        return TotpCheck(TotpOutcome.INVALID)
    totp = _totp(secret)
    current = time_step(unix_time)
    reused_step: int | None = None
    # Newest step first: if a code happens to match two steps, prefer the unused one.
    for step in range(current + valid_window, current - valid_window - 1, -1):
        if hmac.compare_digest(totp.generate_otp(step), candidate):
            if last_used_step is None or step > last_used_step:
                return TotpCheck(TotpOutcome.ACCEPTED, step)
            reused_step = step if reused_step is None else reused_step
    if reused_step is not None:
        return TotpCheck(TotpOutcome.REUSED, reused_step)
    return TotpCheck(TotpOutcome.INVALID)


def provisioning_uri(secret: str, *, account: str) -> str:
    """The ``otpauth://totp/...`` URI authenticator apps import (issuer AOS)."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=TOTP_ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as a QR code in a standalone SVG document.

    The portal shows it through <img> (a data: URL), never as markup in its page. An image is
    parsed as an XML document of its own, where an <svg> root without the SVG namespace is no
    SVG at all and the image fails to decode: hence the document form with ``xmlns`` (segno's
    ``svg_inline`` leaves it out, as it is meant for HTML).
    """
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, encoding="utf-8")
    return buffer.getvalue().decode("utf-8")
