"""Envelope encryption of secrets at rest (TOTP secrets, ECU security secrets).

Every value is encrypted with its own random AES-256-GCM data key; the data key is wrapped
(AES-256-GCM) by a key-encryption key (KEK) named by an id, and the id travels in the stored
blob, so KEKs can rotate: old rows still unseal with the KEK they name, and ``rewrap`` moves a
row to the current KEK without touching its ciphertext. Both encryptions take the row's
``context`` (e.g. ``b"identity.users.totp_secret:<user id>"``) as associated data, so a blob
copied to another row or column does not unseal.

Blob layout (version 1)::

    0x01 | len(key id) | key id (ASCII) | wrap nonce (12) | wrapped data key (48)
         | value nonce (12) | ciphertext + tag

KEKs live in a key file, one ``<id> <base64 of 32 bytes>`` per line (``#`` starts a comment);
the current KEK is named by a setting, or is the file's last key. In development and test a
missing file is created with one new key (mode 0600); elsewhere it must be provided. A service
that seals secrets has the settings ``secret_keys_file`` and ``secret_key_id`` and gets its
cipher from :func:`load_secret_cipher`; what is sealed, and under which context, is its own.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "EnvelopeCipher",
    "EnvelopeError",
    "EnvelopeKeyError",
    "SecretKeySettings",
    "key_id_of",
    "load_or_create_envelope_keys",
    "load_secret_cipher",
    "new_key_line",
]

_VERSION = 1
_KEY_BYTES = 32
_NONCE_BYTES = 12
_WRAPPED_KEY_BYTES = _KEY_BYTES + 16
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_DATA_KEY_AAD = b"aos-envelope-v1|data-key|"
_VALUE_AAD = b"aos-envelope-v1|value|"


class EnvelopeError(ValueError):
    """A blob does not open: unknown key id, wrong context, damaged or tampered bytes."""


class EnvelopeKeyError(RuntimeError):
    """The key-encryption keys cannot be used; the message says what to do."""


class EnvelopeCipher:
    """Seals and opens values with per-value data keys wrapped by KEKs held by id."""

    def __init__(self, keys: Mapping[str, bytes], *, current: str) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise EnvelopeKeyError(f"key id {key_id!r} must be 1-64 of A-Z a-z 0-9 . _ -")
            if len(key) != _KEY_BYTES:
                raise EnvelopeKeyError(f"key {key_id!r} must be {_KEY_BYTES} bytes (AES-256)")
        if current not in keys:
            raise EnvelopeKeyError(f"the current key id {current!r} is not among the keys")
        self._keys = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self.current_key_id = current

    def seal(self, plaintext: bytes, *, context: bytes) -> bytes:
        """Encrypt ``plaintext`` for the row/column named by ``context``."""
        data_key = AESGCM.generate_key(bit_length=256)
        value_nonce = os.urandom(_NONCE_BYTES)
        ciphertext = AESGCM(data_key).encrypt(value_nonce, plaintext, _VALUE_AAD + context)
        return self._header(data_key, self.current_key_id, context) + value_nonce + ciphertext

    def unseal(self, blob: bytes, *, context: bytes) -> bytes:
        """The plaintext of ``blob``; raises EnvelopeError when it does not open."""
        key_id, data_key, rest = self._unwrap(blob, context)
        value_nonce, ciphertext = rest[:_NONCE_BYTES], rest[_NONCE_BYTES:]
        try:
            return AESGCM(data_key).decrypt(value_nonce, ciphertext, _VALUE_AAD + context)
        except InvalidTag:
            raise EnvelopeError(
                f"the value does not open (key {key_id}): tampered or moved"
            ) from None
        except ValueError as exc:
            raise EnvelopeError(f"the value is damaged: {exc}") from exc

    def rewrap(self, blob: bytes, *, context: bytes) -> bytes:
        """``blob`` with its data key wrapped by the current KEK (the ciphertext is kept)."""
        _, data_key, rest = self._unwrap(blob, context)
        return self._header(data_key, self.current_key_id, context) + rest

    def needs_rewrap(self, blob: bytes) -> bool:
        return key_id_of(blob) != self.current_key_id

    def _header(self, data_key: bytes, key_id: str, context: bytes) -> bytes:
        wrap_nonce = os.urandom(_NONCE_BYTES)
        wrapped = self._keys[key_id].encrypt(
            wrap_nonce, data_key, _DATA_KEY_AAD + key_id.encode() + b"|" + context
        )
        encoded_id = key_id.encode()
        return bytes([_VERSION, len(encoded_id)]) + encoded_id + wrap_nonce + wrapped

    def _unwrap(self, blob: bytes, context: bytes) -> tuple[str, bytes, bytes]:
        key_id = key_id_of(blob)
        kek = self._keys.get(key_id)
        if kek is None:
            raise EnvelopeError(f"the value was sealed with key {key_id!r}, which is not loaded")
        start = 2 + len(key_id)
        wrap_nonce = blob[start : start + _NONCE_BYTES]
        wrapped = blob[start + _NONCE_BYTES : start + _NONCE_BYTES + _WRAPPED_KEY_BYTES]
        rest = blob[start + _NONCE_BYTES + _WRAPPED_KEY_BYTES :]
        if len(rest) < _NONCE_BYTES + 16:
            raise EnvelopeError("the value is too short to be a sealed value")
        try:
            data_key = kek.decrypt(
                wrap_nonce, wrapped, _DATA_KEY_AAD + key_id.encode() + b"|" + context
            )
        except InvalidTag:
            raise EnvelopeError(
                f"the data key does not open with key {key_id}: tampered or moved"
            ) from None
        return key_id, data_key, rest


def key_id_of(blob: bytes) -> str:
    """The id of the KEK that wrapped ``blob``'s data key; raises EnvelopeError."""
    if len(blob) < 2 or blob[0] != _VERSION:
        raise EnvelopeError("not a sealed value (unknown format version)")
    length = blob[1]
    try:
        key_id = blob[2 : 2 + length].decode("ascii")
    except UnicodeDecodeError:
        raise EnvelopeError("not a sealed value (bad key id)") from None
    if not _KEY_ID.fullmatch(key_id):
        raise EnvelopeError("not a sealed value (bad key id)")
    return key_id


def new_key_line(key_id: str | None = None) -> str:
    """A key-file line with a new random KEK: ``<id> <base64>``."""
    key_id = key_id or f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(3)}"
    return f"{key_id} {base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}\n"


def _parse(path: Path, text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key_id, _, encoded = line.partition(" ")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise EnvelopeKeyError(f"{path} line {number}: the key is not base64") from None
        if key_id in keys:
            raise EnvelopeKeyError(f"{path} line {number}: key id {key_id!r} appears twice")
        keys[key_id] = key
    return keys


def load_or_create_envelope_keys(
    path: Path, *, current: str | None, may_create: bool, purpose: str, setting: str
) -> EnvelopeCipher:
    """The KEKs in ``path`` (created with one new key when missing and ``may_create``), with
    ``current`` (or the file's last key) sealing new values.

    ``purpose`` and ``setting`` (the variable naming the file) go into the error messages.
    Raises EnvelopeKeyError when the file is missing (and may not be created), unreadable,
    malformed or empty, or ``current`` is not in it.
    """
    if not path.is_file():
        if not may_create:
            raise EnvelopeKeyError(
                f"the {purpose} file {path} does not exist; create one with a line "
                f"'<key id> <base64 of 32 random bytes>' (e.g. `echo \"k1 $(openssl rand "
                f'-base64 32)"`, mode 0600) and set {setting} to its path'
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: if another process created the file meanwhile, keep and use theirs.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(new_key_line())
    try:
        text = path.read_text()
    except OSError as exc:
        raise EnvelopeKeyError(f"cannot read the {purpose} file {path}: {exc}") from exc
    keys = _parse(path, text)
    if not keys:
        raise EnvelopeKeyError(f"the {purpose} file {path} holds no key")
    return EnvelopeCipher(keys, current=current or list(keys)[-1])


class SecretKeySettings(Protocol):
    """The settings of a service that seals secrets (its ServiceSettings subclass)."""

    @property
    def secret_keys_file(self) -> Path: ...

    @property
    def secret_key_id(self) -> str | None: ...

    @property
    def may_generate_keys(self) -> bool: ...


def load_secret_cipher(settings: SecretKeySettings, *, setting: str) -> EnvelopeCipher:
    """The KEKs of ``settings.secret_keys_file`` (generated when missing in development and
    test), sealing with ``settings.secret_key_id`` or the file's last key.

    ``setting`` is the variable naming the file (``IDENTITY_SECRET_KEYS_FILE``), for the error
    messages. Raises EnvelopeKeyError when the file is missing elsewhere, or unusable: the
    service must not start.
    """
    return load_or_create_envelope_keys(
        settings.secret_keys_file,
        current=settings.secret_key_id,
        may_create=settings.may_generate_keys,
        purpose="secret encryption key",
        setting=setting,
    )
