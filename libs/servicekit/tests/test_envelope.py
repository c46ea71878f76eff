"""Envelope encryption: per-value data keys wrapped by key-encryption keys held by id."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from servicekit.envelope import (
    EnvelopeCipher,
    EnvelopeError,
    EnvelopeKeyError,
    key_id_of,
    load_or_create_envelope_keys,
)

SECRET = b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CONTEXT = b"identity.users.totp_secret:7f1c"


def cipher(*ids: str, current: str | None = None) -> EnvelopeCipher:
    keys = {key_id: os.urandom(32) for key_id in ids}
    return EnvelopeCipher(keys, current=current or ids[-1])


def test_sealed_bytes_do_not_contain_the_secret_and_unseal_to_it() -> None:
    box = cipher("k1")
    blob = box.seal(SECRET, context=CONTEXT)
    assert SECRET not in blob
    assert SECRET[:8] not in blob
    assert box.unseal(blob, context=CONTEXT) == SECRET
    assert key_id_of(blob) == "k1"


def test_each_seal_uses_a_fresh_data_key_and_nonce() -> None:
    box = cipher("k1")
    assert box.seal(SECRET, context=CONTEXT) != box.seal(SECRET, context=CONTEXT)


def test_a_value_moved_to_another_row_does_not_unseal() -> None:
    box = cipher("k1")
    blob = box.seal(SECRET, context=CONTEXT)
    with pytest.raises(EnvelopeError):
        box.unseal(blob, context=b"identity.users.totp_secret:other-user")


@pytest.mark.parametrize("where", ["wrapped-key", "nonce", "ciphertext", "tag"])
def test_a_tampered_value_is_refused(where: str) -> None:
    box = cipher("k1")
    blob = bytearray(box.seal(SECRET, context=CONTEXT))
    header = 2 + len("k1")
    index = {
        "wrapped-key": header + 12 + 5,
        "nonce": header + 12 + 48 + 1,
        "ciphertext": header + 12 + 48 + 12 + 1,
        "tag": len(blob) - 1,
    }[where]
    blob[index] ^= 0x01
    with pytest.raises(EnvelopeError):
        box.unseal(bytes(blob), context=CONTEXT)


def test_an_unknown_key_id_is_refused() -> None:
    blob = cipher("k1").seal(SECRET, context=CONTEXT)
    with pytest.raises(EnvelopeError, match="k1"):
        cipher("k2").unseal(blob, context=CONTEXT)


def test_a_changed_key_id_is_refused_even_when_that_key_is_loaded() -> None:
    box = cipher("k1", "k2", current="k1")
    blob = box.seal(SECRET, context=CONTEXT)
    forged = blob.replace(b"k1", b"k2", 1)
    with pytest.raises(EnvelopeError):
        box.unseal(forged, context=CONTEXT)


def test_plain_text_is_not_taken_for_a_sealed_value() -> None:
    with pytest.raises(EnvelopeError):
        cipher("k1").unseal(SECRET, context=CONTEXT)


def test_rotation_unseals_old_values_and_rewraps_them_to_the_current_key() -> None:
    keys = {"k1": os.urandom(32), "k2": os.urandom(32)}
    old = EnvelopeCipher({"k1": keys["k1"]}, current="k1").seal(SECRET, context=CONTEXT)
    rotated = EnvelopeCipher(keys, current="k2")
    assert rotated.unseal(old, context=CONTEXT) == SECRET
    assert rotated.needs_rewrap(old)
    moved = rotated.rewrap(old, context=CONTEXT)
    assert key_id_of(moved) == "k2"
    assert not rotated.needs_rewrap(moved)
    # Once every row is rewrapped the old key can go.
    assert EnvelopeCipher({"k2": keys["k2"]}, current="k2").unseal(moved, context=CONTEXT) == (
        SECRET
    )


def test_a_missing_key_file_is_created_in_development_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret-keys"
    with pytest.raises(EnvelopeKeyError, match="SOME_SETTING"):
        load_or_create_envelope_keys(
            path, current=None, may_create=False, purpose="secret key", setting="SOME_SETTING"
        )
    box = load_or_create_envelope_keys(
        path, current=None, may_create=True, purpose="secret key", setting="SOME_SETTING"
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_or_create_envelope_keys(
        path, current=None, may_create=True, purpose="secret key", setting="SOME_SETTING"
    )
    assert again.unseal(box.seal(SECRET, context=CONTEXT), context=CONTEXT) == SECRET


def test_the_key_file_names_keys_by_id_and_the_setting_picks_the_current(tmp_path: Path) -> None:
    path = tmp_path / "secret-keys"
    first, second = os.urandom(32), os.urandom(32)
    path.write_text(
        f"# rotated 2026-12\nold {base64.b64encode(first).decode()}\n"
        f"new {base64.b64encode(second).decode()}\n"
    )
    latest = load_or_create_envelope_keys(
        path, current=None, may_create=False, purpose="secret key", setting="S"
    )
    assert latest.current_key_id == "new"
    pinned = load_or_create_envelope_keys(
        path, current="old", may_create=False, purpose="secret key", setting="S"
    )
    assert key_id_of(pinned.seal(SECRET, context=CONTEXT)) == "old"
    with pytest.raises(EnvelopeKeyError, match="gone"):
        load_or_create_envelope_keys(
            path, current="gone", may_create=False, purpose="secret key", setting="S"
        )


@pytest.mark.parametrize(
    "content", ["", "k1 not-base64!\n", f"k1 {base64.b64encode(b'short').decode()}\n"]
)
def test_a_bad_key_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secret-keys"
    path.write_text(content)
    with pytest.raises(EnvelopeKeyError):
        load_or_create_envelope_keys(
            path, current=None, may_create=False, purpose="secret key", setting="S"
        )
