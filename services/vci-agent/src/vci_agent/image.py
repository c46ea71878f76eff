"""Flash images: HTTP download with Range resume into a local cache, then SHA-256 and Ed25519.

``verify_image`` is the only way to get a ``VerifiedImage``, and the flasher only accepts a
``VerifiedImage``: no byte can reach an ECU before both checks passed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from aos_contracts.aosimg import ImageHeader, InvalidImageError, parse_image
from vci_agent.platform import flush_to_disk, replace_file

__all__ = [
    "ImageDigestError",
    "ImageDownloadError",
    "ImageError",
    "ImageFormatError",
    "ImageSignatureError",
    "VerifiedImage",
    "download_image",
    "load_public_key",
    "verify_image",
]

_CHUNK = 256 * 1024


class ImageError(Exception):
    """Base class: the image cannot be used; nothing was sent to the ECU."""


class ImageDownloadError(ImageError):
    """The HTTP download failed (status, size or transport)."""


class ImageDigestError(ImageError):
    """The SHA-256 of the image differs from the published one."""


class ImageSignatureError(ImageError):
    """The Ed25519 signature does not verify with the release public key."""


class ImageFormatError(ImageError):
    """The image is not a well-formed AOSIMG1 image."""


@dataclass(frozen=True, slots=True)
class VerifiedImage:
    """Image bytes whose SHA-256 and Ed25519 signature were checked."""

    data: bytes
    sha256: bytes
    header: ImageHeader

    @property
    def size(self) -> int:
        return len(self.data)


def load_public_key(material: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo), 32 raw bytes or 64 hex chars.

    Raises ``ValueError`` when the material is none of these.
    """
    if len(material) == 32:  # raw key bytes: never strip them, any byte value is valid
        return Ed25519PublicKey.from_public_bytes(material)
    stripped = material.strip()
    if stripped.startswith(b"-----BEGIN"):
        key = load_pem_public_key(stripped)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("the PEM key is not an Ed25519 public key")
        return key
    if len(stripped) == 64:
        stripped = bytes.fromhex(stripped.decode("ascii"))
    if len(stripped) != 32:
        raise ValueError("an Ed25519 public key is PEM, 32 raw bytes or 64 hex characters")
    return Ed25519PublicKey.from_public_bytes(stripped)


def verify_image(
    data: bytes,
    *,
    signature: bytes,
    public_key: Ed25519PublicKey,
    sha256: bytes | None = None,
) -> VerifiedImage:
    """Check the digest (when published), the signature over the whole image, and the header.

    Raises ``ImageDigestError``, ``ImageSignatureError`` or ``ImageFormatError``.
    """
    digest = hashlib.sha256(data).digest()
    if sha256 is not None and not hmac.compare_digest(digest, sha256):
        raise ImageDigestError(
            f"SHA-256 of the image is {digest.hex()}, the release says {sha256.hex()}"
        )
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise ImageSignatureError("the image signature does not verify") from None
    try:
        header = parse_image(data)
    except InvalidImageError as exc:
        raise ImageFormatError(str(exc)) from exc
    return VerifiedImage(data=data, sha256=digest, header=header)


def download_image(
    client: httpx.Client,
    url: str,
    *,
    cache_dir: Path,
    sha256: bytes,
    size: int | None = None,
    headers: dict[str, str] | None = None,
) -> Path:
    """Download ``url`` into ``cache_dir/<sha256>.img``, resuming a partial file with Range.

    A cached file whose digest matches is reused without a request. The digest is checked
    here only to name and reuse the cache; callers still call ``verify_image``. Raises
    ``ImageDownloadError`` (HTTP status, transport error, more bytes than ``size``) and
    ``ImageDigestError`` (complete but wrong bytes; the partial file is discarded).
    Blocking: async callers run it with ``asyncio.to_thread``.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = cache_dir / f"{sha256.hex()}.img"
    if final.exists() and _file_sha256(final) == sha256:
        return final
    partial = final.with_suffix(".part")
    offset = partial.stat().st_size if partial.exists() else 0
    if size is not None and offset >= size:
        offset = 0
    request_headers = dict(headers or {})
    if offset:
        request_headers["Range"] = f"bytes={offset}-"
    try:
        with client.stream("GET", url, headers=request_headers) as response:
            if response.status_code == 416 and offset:
                partial.unlink()
                return download_image(
                    client, url, cache_dir=cache_dir, sha256=sha256, size=size, headers=headers
                )
            if response.status_code == 200:
                offset = 0
            elif response.status_code != 206 or not offset:
                raise ImageDownloadError(f"GET {url} answered HTTP {response.status_code}")
            with partial.open("r+b" if offset else "wb") as out:
                out.seek(offset)
                out.truncate()
                for chunk in response.iter_bytes(_CHUNK):
                    out.write(chunk)
                    if size is not None and out.tell() > size:
                        raise ImageDownloadError(f"GET {url} sent more than {size} bytes")
                flush_to_disk(out)
    except httpx.HTTPError as exc:
        raise ImageDownloadError(f"GET {url} failed: {exc}") from exc
    if _file_sha256(partial) != sha256:
        partial.unlink()
        raise ImageDigestError(f"downloaded image from {url} does not match its SHA-256")
    replace_file(partial, final)
    return final


def _file_sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_CHUNK):
            digest.update(block)
    return digest.digest()
