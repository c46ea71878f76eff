"""Settings of the identity service (env prefix ``IDENTITY_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

__all__ = ["DEFAULT_SECRET_KEYS_FILE", "DEFAULT_SIGNING_KEY_FILE", "Settings"]

# Relative to the current directory, so `make run` from the repository root keeps the generated
# development key beside the other local state in `.local/`.
DEFAULT_SIGNING_KEY_FILE = Path(".local/identity/jwt-signing-key.pem")
DEFAULT_SECRET_KEYS_FILE = Path(".local/identity/secret-keys")


class Settings(ServiceSettings):
    """Everything the identity service reads from the environment."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", frozen=True)

    service_name: str = "identity"
    port: int = Field(default=8101, ge=1, le=65535)

    # Outgoing mail (the development sink listens here: `python -m identity.mailsink`).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8125
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "AOS <no-reply@aos.example>"
    # Seconds between polls of the outgoing mail queue; requests also wake the sender at once.
    mail_poll_seconds: float = 3.0
    run_mail_sender: bool = True
    # Base URL of the portal; verification links point at `{portal_url}/verify-email`.
    portal_url: str = "http://127.0.0.1:8080"

    # Ed25519 private key (PEM) that signs access tokens. The file holds a secret but its path
    # does not; in development and test a missing file is generated (mode 0600).
    jwt_private_key_file: Path = DEFAULT_SIGNING_KEY_FILE
    # The public (or private) key that signed tokens before the last rotation; still published
    # in the JWKS so tokens it signed stay valid until they expire.
    jwt_previous_public_key_file: Path | None = None
    access_token_ttl_seconds: int = Field(default=600, gt=0)
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, gt=0)
    # The refresh token travels only in an HttpOnly cookie scoped to this path: the refresh and
    # logout routes as the browser sees them through the gateway. Secure in production.
    refresh_cookie_path: str = "/api/identity/auth"

    # One-time links: a password reset (mailed on request), an e-mail change (mailed to the
    # new address).
    password_reset_ttl_seconds: int = Field(default=3600, gt=0)
    email_change_ttl_seconds: int = Field(default=24 * 3600, gt=0)

    # Key-encryption keys that seal TOTP secrets at rest: one "<id> <base64 of 32 bytes>" per
    # line; generated in development and test, required in production. New values are sealed
    # with ``secret_key_id`` (default: the file's last key); older ids still unseal.
    secret_keys_file: Path = DEFAULT_SECRET_KEYS_FILE
    secret_key_id: str | None = None

    # Demo account of `python -m identity seed`; generated on the first seed when unset.
    demo_password: SecretStr | None = None
    demo_totp_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _tokens_outlive_no_verifier(self) -> Settings:
        # Every service (and the gateway) refuses tokens living longer than this maximum.
        if self.access_token_ttl_seconds > self.jwt_max_lifetime_seconds:
            raise ValueError(
                f"IDENTITY_ACCESS_TOKEN_TTL_SECONDS ({self.access_token_ttl_seconds}) exceeds "
                f"AOS_JWT_MAX_LIFETIME_SECONDS ({self.jwt_max_lifetime_seconds}): every token "
                "would be refused; lower the one or raise the other"
            )
        return self
