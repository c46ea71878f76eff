from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vci_agent.image import (
    ImageDigestError,
    ImageFormatError,
    ImageSignatureError,
    download_image,
    load_public_key,
    verify_image,
)


def test_verify_image_accepts_a_correctly_signed_image(signed_image: Any) -> None:
    verified = verify_image(
        signed_image.data,
        signature=signed_image.signature,
        public_key=signed_image.public_key,
        sha256=signed_image.sha256,
    )

    assert verified.sha256 == signed_image.sha256
    assert (verified.header.ecu_type, verified.header.version) == ("DME_B48", "1.1.0")


def test_verify_image_refuses_a_tampered_image(signed_image: Any) -> None:
    tampered = bytearray(signed_image.data)
    tampered[-1] ^= 0x01

    with pytest.raises(ImageDigestError, match="SHA-256"):
        verify_image(
            bytes(tampered),
            signature=signed_image.signature,
            public_key=signed_image.public_key,
            sha256=signed_image.sha256,
        )


def test_verify_image_refuses_a_signature_of_another_key(signed_image: Any) -> None:
    other = Ed25519PrivateKey.generate().sign(signed_image.data)

    with pytest.raises(ImageSignatureError):
        verify_image(
            signed_image.data,
            signature=other,
            public_key=signed_image.public_key,
            sha256=signed_image.sha256,
        )


def test_verify_image_checks_the_signature_even_without_a_published_digest(
    signed_image: Any,
) -> None:
    tampered = signed_image.data[:-1] + bytes([signed_image.data[-1] ^ 0xFF])

    with pytest.raises(ImageSignatureError):
        verify_image(tampered, signature=signed_image.signature, public_key=signed_image.public_key)


def test_verify_image_refuses_a_signed_file_that_is_not_an_aosimg(
    release_key: Ed25519PrivateKey,
) -> None:
    data = b"not an image at all" * 10

    with pytest.raises(ImageFormatError, match="magic"):
        verify_image(data, signature=release_key.sign(data), public_key=release_key.public_key())


def test_load_public_key_reads_pem_raw_and_hex(release_key: Ed25519PrivateKey) -> None:
    public = release_key.public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    for material in (pem, raw, raw.hex().encode()):
        assert load_public_key(material).public_bytes(Encoding.Raw, PublicFormat.Raw) == raw


def test_load_public_key_keeps_raw_bytes_that_look_like_whitespace() -> None:
    raw = b" " + bytes(range(1, 30)) + b"\n\t"

    key = load_public_key(raw)

    assert key.public_bytes(Encoding.Raw, PublicFormat.Raw) == raw


def test_load_public_key_refuses_other_material() -> None:
    with pytest.raises(ValueError, match="Ed25519"):
        load_public_key(b"short")


def test_download_fetches_the_whole_image_into_the_cache(
    tmp_path: Path, signed_image: Any, range_server: Any
) -> None:
    with range_server(signed_image.data) as (url, served), httpx.Client() as client:
        path = download_image(client, url, cache_dir=tmp_path, sha256=signed_image.sha256)

    assert path.read_bytes() == signed_image.data
    assert path.name == f"{signed_image.sha256.hex()}.img"
    assert served.ranges_seen == [None]


def test_download_resumes_a_partial_file_with_a_range_request(
    tmp_path: Path, signed_image: Any, range_server: Any
) -> None:
    partial = tmp_path / f"{signed_image.sha256.hex()}.part"
    partial.write_bytes(signed_image.data[:100_000])

    with range_server(signed_image.data) as (url, served), httpx.Client() as client:
        path = download_image(client, url, cache_dir=tmp_path, sha256=signed_image.sha256)

    assert served.ranges_seen == ["bytes=100000-"]
    assert path.read_bytes() == signed_image.data
    assert not partial.exists()


def test_download_starts_over_when_the_server_ignores_range(
    tmp_path: Path, signed_image: Any, range_server: Any
) -> None:
    (tmp_path / f"{signed_image.sha256.hex()}.part").write_bytes(b"stale bytes")

    with (
        range_server(signed_image.data, honour_range=False) as (url, served),
        httpx.Client() as client,
    ):
        path = download_image(client, url, cache_dir=tmp_path, sha256=signed_image.sha256)

    assert served.ranges_seen == ["bytes=11-"]
    assert path.read_bytes() == signed_image.data


def test_download_reuses_a_complete_cached_image_without_a_request(
    tmp_path: Path, signed_image: Any, range_server: Any
) -> None:
    (tmp_path / f"{signed_image.sha256.hex()}.img").write_bytes(signed_image.data)

    with range_server(signed_image.data) as (url, served), httpx.Client() as client:
        download_image(client, url, cache_dir=tmp_path, sha256=signed_image.sha256)

    assert served.ranges_seen == []


def test_download_of_wrong_bytes_raises_and_discards_them(
    tmp_path: Path, signed_image: Any, range_server: Any
) -> None:

    with (
        range_server(b"something else entirely") as (url, _served),
        httpx.Client() as client,
        pytest.raises(ImageDigestError),
    ):
        download_image(client, url, cache_dir=tmp_path, sha256=hashlib.sha256(b"x").digest())

    assert list(tmp_path.iterdir()) == []
