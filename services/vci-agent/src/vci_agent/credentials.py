"""Where the device credential is kept: the OS keystore when there is one, else a private file.

The record file (``credential.json`` in the config folder) always holds what is not secret:
server, API prefix, agent id and release public key. The secret (the device credential the
programming service checks) goes to the OS keystore through ``keyring`` (Windows Credential
Manager, the macOS Keychain, the Secret Service on a Linux desktop), under the service name
``aos-vci-agent`` and the agent id. When no keystore is usable (keyring's fail backend, as on a
headless Linux, or a keystore that refuses the write) the secret is kept in the record file,
which only the user can read.

A record file written before the keystore was used holds the secret too; it keeps working as
it is, and ``move_secret_to_keystore`` moves its secret into the keystore (``connect`` does
so when a keystore is usable).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from vci_agent.pairing import DeviceCredential, PairingError
from vci_agent.platform import APP_NAME, PLATFORM, write_file_atomically

__all__ = [
    "KEYSTORE_SERVICE",
    "CredentialPlace",
    "load_credential",
    "move_secret_to_keystore",
    "os_keystore",
    "save_credential",
]

KEYSTORE_SERVICE: Final = APP_NAME
_SECRET_FIELD: Final = "credential"
# Marks a record file whose secret is in the keystore.
_SECRET_IN_FIELD: Final = "credential_in"
_IN_KEYSTORE: Final = "keystore"


class CredentialPlace(StrEnum):
    KEYSTORE = "keystore"
    FILE = "file"


def os_keystore() -> KeyringBackend | None:
    """The keyring backend keyring chose for this OS and user, or None when it has none that
    can store anything (its fail backend has priority 0, the null backend less)."""
    backend = keyring.get_keyring()
    return backend if backend.priority > 0 else None


def save_credential(
    path: Path,
    credential: DeviceCredential,
    *,
    keystore: KeyringBackend | None,
    platform: str = PLATFORM,
) -> CredentialPlace:
    """Store ``credential``: its secret in ``keystore`` when given and it accepts it, else in
    the record file ``path``; returns where the secret went. The record file is replaced
    atomically and is owner-only either way. A secret an earlier pairing left in the keystore
    is deleted. Raises ``OSError`` when the file cannot be written."""
    earlier = _earlier_record(path)
    record = asdict(credential)
    place = CredentialPlace.FILE
    if keystore is not None:
        try:
            keystore.set_password(KEYSTORE_SERVICE, credential.agent_id, credential.credential)
        except KeyringError:
            pass  # a keystore that refuses (locked, no prompt possible): the file it is
        else:
            del record[_SECRET_FIELD]
            record[_SECRET_IN_FIELD] = _IN_KEYSTORE
            place = CredentialPlace.KEYSTORE
    payload = json.dumps(record, indent=2).encode()
    write_file_atomically(path, payload, owner_only=True, platform=platform)
    if (
        keystore is not None
        and earlier is not None
        and earlier.get(_SECRET_IN_FIELD) == _IN_KEYSTORE
        and earlier.get("agent_id") != credential.agent_id
    ):
        _forget(keystore, str(earlier.get("agent_id")))
    return place


def load_credential(path: Path, *, keystore: KeyringBackend | None) -> DeviceCredential:
    """The stored credential. Raises ``PairingError`` when the agent is not paired, the file is
    unreadable, or its secret is in a keystore that is not usable or no longer has it."""
    record = _read_record(path)
    try:
        if record.get(_SECRET_IN_FIELD) == _IN_KEYSTORE:
            record = {key: value for key, value in record.items() if key != _SECRET_IN_FIELD}
            record[_SECRET_FIELD] = _secret_from(keystore, str(record.get("agent_id")), path)
        return DeviceCredential(**record)
    except TypeError as exc:
        raise PairingError(f"the credential file {path} is unreadable") from exc


def move_secret_to_keystore(
    path: Path, *, keystore: KeyringBackend, platform: str = PLATFORM
) -> bool:
    """Move a secret kept in the record file into ``keystore``; True when it moved. A record
    whose secret already is in the keystore, or a keystore that refuses it, leaves the file as
    it is. Raises ``PairingError`` as ``load_credential`` does."""
    if _read_record(path).get(_SECRET_IN_FIELD) == _IN_KEYSTORE:
        return False
    credential = load_credential(path, keystore=None)
    place = save_credential(path, credential, keystore=keystore, platform=platform)
    return place is CredentialPlace.KEYSTORE


def _read_record(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise PairingError("this agent is not paired: run `aos-vci-agent pair`") from None
    except (ValueError, OSError) as exc:
        raise PairingError(f"the credential file {path} is unreadable: {exc}") from exc
    if not isinstance(record, dict):
        raise PairingError(f"the credential file {path} is unreadable")
    return record


def _earlier_record(path: Path) -> dict[str, Any] | None:
    """The record pairing replaces, if readable; an unreadable one is simply overwritten
    (pairing again is how a user repairs it)."""
    try:
        return _read_record(path)
    except PairingError:
        return None


def _secret_from(keystore: KeyringBackend | None, agent_id: str, path: Path) -> str:
    if keystore is None:
        raise PairingError(
            f"{path} says the credential is in the OS keystore, which is not in use here (no "
            "usable keyring backend, or --credential-store file): use the keystore again, or "
            "run `aos-vci-agent pair` again to keep the credential in the file"
        )
    try:
        secret = keystore.get_password(KEYSTORE_SERVICE, agent_id)
    except KeyringError as exc:
        raise PairingError(f"cannot read the credential from {keystore.name}: {exc}") from exc
    if secret is None:
        raise PairingError(
            f"the credential of agent {agent_id} is missing from {keystore.name}: "
            "run `aos-vci-agent pair` again"
        )
    return secret


def _forget(keystore: KeyringBackend, agent_id: str) -> None:
    # Already gone, or the keystore refuses: a stale entry harms nobody.
    with contextlib.suppress(KeyringError):
        keystore.delete_password(KEYSTORE_SERVICE, agent_id)
