"""Settings come from AIR_* variables; seeding at start defaults to development only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from air.config import Settings


def test_defaults_bind_loopback_on_port_8103(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AIR_HOST", "AIR_PORT", "AIR_SEARCH_DEFAULT_LIMIT"):
        monkeypatch.delenv(name, raising=False)

    settings = Settings()

    assert (settings.host, settings.port, settings.search_default_limit) == ("127.0.0.1", 8103, 20)
    assert settings.service_name == "air"


def test_air_prefixed_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIR_DATABASE_URL", "postgresql+asyncpg://db.example/air")
    monkeypatch.setenv("AIR_PORT", "9103")
    monkeypatch.setenv("AIR_SEARCH_DEFAULT_LIMIT", "50")

    settings = Settings()

    assert settings.database_url == "postgresql+asyncpg://db.example/air"
    assert (settings.port, settings.search_default_limit) == (9103, 50)


@pytest.mark.parametrize("limit", [0, 101])
def test_default_search_limit_must_be_between_1_and_100(limit: int) -> None:
    with pytest.raises(ValidationError):
        Settings(search_default_limit=limit)


@pytest.mark.parametrize(
    ("environment", "seed_on_start", "seeds"),
    [
        ("development", None, True),
        ("test", None, False),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_seeding_at_start_defaults_to_development_only(
    environment: str, seed_on_start: bool | None, seeds: bool
) -> None:
    settings = Settings(environment=environment, seed_on_start=seed_on_start)
    assert settings.should_seed_on_start is seeds
