"""Pairing: trade a one-time code from the portal for a device credential.

The credential is the agent's only secret; ``vci_agent.credentials`` keeps it (the OS keystore,
or a file only the user can read).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

__all__ = [
    "DEFAULT_API_PREFIX",
    "DeviceCredential",
    "PairingError",
    "pair",
]

# The programming service's routes behind the gateway.
DEFAULT_API_PREFIX = "/api/programming"


class PairingError(Exception):
    """Pairing was refused or the stored credential is missing or unreadable."""


@dataclass(frozen=True, slots=True)
class DeviceCredential:
    """``server`` is the gateway's base URL; ``release_public_key`` is raw Ed25519, base64."""

    server: str
    api_prefix: str
    agent_id: str
    credential: str
    release_public_key: str

    @property
    def api_base(self) -> str:
        return self.server.rstrip("/") + self.api_prefix

    @property
    def websocket_url(self) -> str:
        base = self.api_base
        scheme = "wss" if base.startswith("https://") else "ws"
        return scheme + "://" + base.split("://", 1)[1] + "/agent/ws"


def pair(
    client: httpx.Client,
    server: str,
    code: str,
    *,
    name: str,
    api_prefix: str = DEFAULT_API_PREFIX,
) -> DeviceCredential:
    """POST the code to ``<server><api_prefix>/agents/pair``; raises ``PairingError``."""
    url = server.rstrip("/") + api_prefix + "/agents/pair"
    try:
        response = client.post(url, json={"code": code.strip(), "name": name})
    except httpx.HTTPError as exc:
        raise PairingError(f"cannot reach {url}: {exc}") from exc
    if response.status_code != 201:
        detail = _problem_detail(response)
        raise PairingError(f"pairing refused (HTTP {response.status_code}): {detail}")
    try:
        body = response.json()
        return DeviceCredential(
            server=server.rstrip("/"),
            api_prefix=api_prefix,
            agent_id=str(body["agent_id"]),
            credential=str(body["credential"]),
            release_public_key=str(body["release_public_key"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise PairingError(f"unexpected pairing answer from {url}") from exc


def _problem_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)
    return str(body)[:200]
