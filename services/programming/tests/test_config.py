"""Settings and the release signing key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from programming.config import Settings
from programming.services.signing import SigningKeyError, load_release_key


def test_defaults_are_the_documented_ones() -> None:
    settings = Settings(environment="test")
    assert settings.port == 8104
    assert settings.service_name == "programming"
    assert settings.transfer_rate_bytes_per_second == 25_000
    assert settings.time_margin_seconds == 120
    assert settings.pairing_code_ttl_seconds == 600


def test_settings_are_read_with_the_programming_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAMMING_TIME_MARGIN_SECONDS", "300")
    assert Settings(environment="test").time_margin_seconds == 300


def test_missing_key_is_generated_in_test_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "release.pem"
    key = load_release_key(Settings(environment="test", release_signing_key_file=path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_release_key(Settings(environment="test", release_signing_key_file=path))
    assert key.public_key() == again.public_key()


def test_missing_key_in_production_is_an_error_saying_what_to_do(tmp_path: Path) -> None:
    settings = Settings(environment="production", release_signing_key_file=tmp_path / "none.pem")
    with pytest.raises(SigningKeyError, match="PROGRAMMING_RELEASE_SIGNING_KEY_FILE"):
        load_release_key(settings)


def test_key_file_that_is_not_a_key_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.pem"
    path.write_text("not a key")
    with pytest.raises(SigningKeyError, match="cannot read"):
        load_release_key(Settings(environment="test", release_signing_key_file=path))
