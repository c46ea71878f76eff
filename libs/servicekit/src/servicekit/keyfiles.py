"""Ed25519 private keys kept in PEM files: token signing (identity), release signing
(programming).

In development and test a missing key file is created (mode 0600); elsewhere it must be
provided, and the error says how to make one.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

__all__ = ["KeyFileError", "load_or_create_ed25519_key"]


class KeyFileError(RuntimeError):
    """The key file cannot be used; the message says what to do."""


def _write_new_key(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: if another process generated the key meanwhile, keep and use theirs.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def load_or_create_ed25519_key(
    path: Path, *, may_create: bool, purpose: str, setting: str
) -> Ed25519PrivateKey:
    """The key in ``path``, created first when missing and ``may_create``.

    ``purpose`` ("JWT signing key") and ``setting`` (the variable naming the file) go into the
    error messages. Raises KeyFileError when the file is missing (and may not be created),
    unreadable, or not an unencrypted PKCS#8 PEM Ed25519 private key.
    """
    if not path.is_file():
        if not may_create:
            raise KeyFileError(
                f"the {purpose} file {path} does not exist; create one with "
                f"`openssl genpkey -algorithm ed25519 -out <file>` (mode 0600) and set "
                f"{setting} to its path"
            )
        _write_new_key(path)
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(
            f"cannot read the {purpose} {path}: {exc}; it must be an unencrypted "
            "PKCS#8 PEM Ed25519 private key"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"the {purpose} {path} is not an Ed25519 key")
    return key
