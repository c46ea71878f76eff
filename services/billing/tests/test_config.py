import pytest
from pydantic import ValidationError

from billing.config import Settings


def test_placeholder_webhook_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="BILLING_PAYMENT_WEBHOOK_SECRET"):
        Settings(environment="production", payment_webhook_secret="dev")


def test_default_webhook_secret_is_accepted_in_development() -> None:
    settings = Settings(environment="development")
    assert settings.payment_webhook_secret.get_secret_value() == "dev"


def test_defaults_are_port_8102_on_loopback_selling_from_germany() -> None:
    settings = Settings(environment="development")
    assert (settings.host, settings.port, settings.seller_country) == ("127.0.0.1", 8102, "DE")
    assert (settings.refund_period_hours, settings.stock_reservation_minutes) == (24, 30)
    assert settings.payment_webhook_url == "http://127.0.0.1:8102/payments/webhook"
    assert settings.test_provider_delay_seconds == 0.2


def test_catalog_is_seeded_at_start_only_in_development_by_default() -> None:
    assert Settings(environment="development").should_seed_on_start
    assert not Settings(environment="test", payment_webhook_secret="x" * 32).should_seed_on_start


def test_settings_are_read_from_billing_prefixed_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BILLING_TERMS_VERSION", "2027-01")
    monkeypatch.setenv("BILLING_PORT", "9999")
    settings = Settings(environment="development")
    assert (settings.terms_version, settings.port) == ("2027-01", 9999)
