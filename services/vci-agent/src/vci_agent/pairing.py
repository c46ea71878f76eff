"""Pairing: trade a one-time code from the portal for a device credential, stored privately.

The credential file is created with mode 0600 (only the user can read it) and replaced
atomically; it is the agent's only secret.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

__all__ = [
    "DEFAULT_API_PREFIX",
    "DeviceCredential",
    "PairingError",
    "load_credential",
    "pair",
    "save_credential",
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


def save_credential(path: Path, credential: DeviceCredential) -> None:
    """Write the credential file with mode 0600, atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".credential.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(asdict(credential), out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_credential(path: Path) -> DeviceCredential:
    """Raises ``PairingError`` when the agent is not paired or the file is unreadable."""
    try:
        return DeviceCredential(**json.loads(path.read_text()))
    except FileNotFoundError:
        raise PairingError("this agent is not paired: run `aos-vci-agent pair`") from None
    except (ValueError, TypeError) as exc:
        raise PairingError(f"the credential file {path} is unreadable") from exc


def _problem_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)
    return str(body)[:200]
