"""The VAT id registry seam: the EU's VIES service (its REST API), or a fake in tests.

VIES answers whether a VAT id exists in the member state's register, with the registered name
and address and a request identifier that serves as proof of the check. Any failure (timeout,
network, a member state's register being down, an unexpected answer) is an ``unavailable``
answer, never an exception: the caller then decides by its own policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import httpx

from servicekit.logging import get_logger

__all__ = ["RegistryAnswer", "RegistryResult", "VatIdRegistry", "ViesClient"]

log = get_logger(__name__)


class RegistryResult(StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class RegistryAnswer:
    result: RegistryResult
    name: str | None = None
    address: str | None = None
    request_id: str | None = None
    # Why the registry could not answer; None otherwise.
    error: str | None = None


class VatIdRegistry(Protocol):
    async def check(self, *, country_prefix: str, number: str) -> RegistryAnswer:
        """Whether ``number`` (without its prefix) is a registered VAT id of the member state
        with VAT prefix ``country_prefix`` ('EL' for Greece)."""
        ...


def _text(value: Any) -> str | None:
    # VIES prints "---" where a member state does not disclose the name or address.
    if not isinstance(value, str) or value.strip() in ("", "---"):
        return None
    return value.strip()


def _error_of(body: dict[str, Any]) -> str | None:
    wrappers = body.get("errorWrappers")
    if isinstance(wrappers, list) and wrappers:
        first = wrappers[0]
        if isinstance(first, dict):
            return str(first.get("error") or first.get("message") or "VIES error")
    user_error = body.get("userError")
    if isinstance(user_error, str) and user_error not in ("", "VALID", "INVALID"):
        return user_error
    return None


class ViesClient:
    """The EU's VIES REST API: ``POST {base_url}/check-vat-number``."""

    def __init__(self, http: httpx.AsyncClient, *, base_url: str, timeout_seconds: float) -> None:
        self.http = http
        self.url = base_url.rstrip("/") + "/check-vat-number"
        self.timeout_seconds = timeout_seconds

    async def check(self, *, country_prefix: str, number: str) -> RegistryAnswer:
        try:
            response = await self.http.post(
                self.url,
                json={"countryCode": country_prefix, "vatNumber": number},
                timeout=self.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            return self._unavailable(f"{type(exc).__name__}: {exc}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return self._unavailable(f"HTTP {response.status_code}, no JSON object")
        error = _error_of(body)
        if error is not None or response.status_code != 200:
            return self._unavailable(error or f"HTTP {response.status_code}")
        valid = body.get("valid", body.get("isValid"))
        if not isinstance(valid, bool):
            return self._unavailable("the answer has no 'valid' flag")
        return RegistryAnswer(
            result=RegistryResult.VALID if valid else RegistryResult.INVALID,
            name=_text(body.get("name")),
            address=_text(body.get("address")),
            request_id=_text(body.get("requestIdentifier")),
        )

    def _unavailable(self, error: str) -> RegistryAnswer:
        log.warning("VIES could not check a VAT id", error=error)
        return RegistryAnswer(result=RegistryResult.UNAVAILABLE, error=error[:500])
