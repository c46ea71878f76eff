"""Gateway settings (env prefix ``GATEWAY_``); ``os.environ`` is read nowhere else."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from gateway.ratelimit import parse_rate
from servicekit.server import WebSocketOptions
from servicekit.settings import ServiceSettings

# The services behind the gateway, in the order the merged OpenAPI document lists them. Each has
# a ``<name>_url`` field below; adding a service is one name here and one field.
UPSTREAM_SERVICES: tuple[str, ...] = ("identity", "billing", "air", "programming")


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway"
    port: int = 8080
    # uvicorn worker processes; each has its own upstream pool and token cache.
    workers: int = 1
    # The gateway's Prometheus metrics are served on a listener of their own (gateway.metrics),
    # never on the public port; 0 = no metrics listener. The host should stay internal.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Peers (a load balancer in front) whose X-Forwarded-Proto/-Host are passed on, comma
    # separated; "*" trusts every peer. X-Forwarded-For always gets the peer appended.
    trusted_proxies: str = "127.0.0.1"

    # Each service's base URL, or several separated by commas (its replicas): requests and
    # WebSocket sessions are balanced over them (gateway.upstreams).
    identity_url: str = "http://127.0.0.1:8101"
    billing_url: str = "http://127.0.0.1:8102"
    air_url: str = "http://127.0.0.1:8103"
    programming_url: str = "http://127.0.0.1:8104"

    # The request line and headers a client may send, in bytes (16 KiB); larger get a 431 problem.
    max_header_bytes: int = Field(default=16 * 1024, gt=0)
    # Largest accepted request body in bytes (10 MiB); larger ones get a 413 problem.
    max_body_bytes: int = 10 * 1024 * 1024
    # Seconds to wait for an upstream to connect, answer, or send the next piece of its body.
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)
    # Keep-alive connections per upstream are closed after this many idle seconds; below
    # uvicorn's 5 s keep-alive so the gateway never reuses a connection the service just closed.
    upstream_keepalive_seconds: float = Field(default=4.0, gt=0)
    # Seconds a replica that refused a connection is tried only after the others.
    upstream_down_seconds: float = Field(default=2.0, ge=0)
    # Most open connections to all upstreams together (0 = no limit).
    upstream_max_connections: int = Field(default=512, ge=0)
    # Verified access tokens remembered until they expire (0 turns the cache off).
    token_cache_size: int = Field(default=10_000, ge=0)
    # Seconds the merged OpenAPI document is reused before the services are asked again.
    openapi_cache_seconds: float = Field(default=60.0, ge=0)

    # WebSockets (/api/<service>/... upgrades). Seconds between pings on both legs (client and
    # service); a peer that does not answer a ping within that time again is dropped. 0 = off.
    websocket_heartbeat_seconds: float = Field(default=20.0, ge=0)
    # Largest WebSocket message in bytes, either way (1 MiB); larger ones close with 1009. Each
    # session holds at most about one message per direction in memory.
    websocket_max_message_bytes: int = Field(default=1024 * 1024, gt=0)
    # Most WebSocket sessions at once per worker; more are refused with close code 1013.
    websocket_max_sessions: int = Field(default=10_000, gt=0)
    # (Inherited: websocket_per_message_deflate, default off, as in the services: a client's
    # offer to compress is declined, since each connection would keep a zlib pair, about
    # 40 KiB, for frames that are mostly small protobuf messages.)

    # Rate limits (gateway.ratelimit), counted in this process's memory: each replica and each
    # worker counts on its own. Rates are "<n>/<second|minute|hour|day>". Per client IP and per
    # account (the e-mail, refresh or enrolment token, pairing code the request names) on the
    # routes that check a secret or send mail; the per-account rates are above the per-IP ones,
    # so that one client alone cannot use up another's account budget.
    rate_limits_enabled: bool = True
    rate_limit_login_per_ip: str = "10/minute"
    rate_limit_login_per_account: str = "30/minute"
    rate_limit_registration_per_ip: str = "20/hour"
    rate_limit_registration_per_account: str = "5/hour"
    rate_limit_refresh_per_ip: str = "120/minute"
    rate_limit_refresh_per_account: str = "10/minute"
    rate_limit_resend_per_ip: str = "20/hour"
    rate_limit_resend_per_account: str = "5/hour"
    rate_limit_password_reset_per_ip: str = "20/hour"
    rate_limit_password_reset_per_account: str = "5/hour"
    rate_limit_totp_reset_per_ip: str = "10/minute"
    rate_limit_totp_reset_per_account: str = "10/hour"
    rate_limit_totp_confirm_per_ip: str = "20/minute"
    rate_limit_totp_confirm_per_account: str = "10/minute"
    rate_limit_pairing_per_ip: str = "10/minute"
    rate_limit_pairing_per_account: str = "10/minute"
    # Every request with an access token, per token.
    rate_limit_api_per_token: str = "1200/minute"
    # Strict-Transport-Security max-age in seconds, sent on every answer in production only
    # (behind a TLS-terminating proxy; development runs on plain HTTP). 0 turns it off.
    hsts_max_age_seconds: int = Field(default=365 * 24 * 3600, ge=0)

    # The built web portal served at / (relative to the working directory; `make run` starts
    # the gateway in the repository root). Missing: / answers a problem saying how to build it.
    web_root: Path = Path("web/dist")
    # Whether /readyz waits for the portal's files (index.html under web_root): on in the image,
    # which is built to serve them; off where the gateway serves the API only (tests, a portal
    # hosted elsewhere) or the portal is built later (`make run` builds it while running).
    portal_required: bool = False

    @field_validator(
        "rate_limit_login_per_ip",
        "rate_limit_login_per_account",
        "rate_limit_registration_per_ip",
        "rate_limit_registration_per_account",
        "rate_limit_refresh_per_ip",
        "rate_limit_refresh_per_account",
        "rate_limit_resend_per_ip",
        "rate_limit_resend_per_account",
        "rate_limit_password_reset_per_ip",
        "rate_limit_password_reset_per_account",
        "rate_limit_totp_reset_per_ip",
        "rate_limit_totp_reset_per_account",
        "rate_limit_totp_confirm_per_ip",
        "rate_limit_totp_confirm_per_account",
        "rate_limit_pairing_per_ip",
        "rate_limit_pairing_per_account",
        "rate_limit_api_per_token",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse_rate(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a rate; write it as <count>/<second|minute|hour|day>"
            ) from None
        return value

    @field_validator(*(f"{name}_url" for name in UPSTREAM_SERVICES))
    @classmethod
    def _base_urls(cls, value: str) -> str:
        return ",".join(parse_base_urls(value))

    @model_validator(mode="after")
    def _metrics_port_of_its_own(self) -> GatewaySettings:
        if self.metrics_port == self.port:
            raise ValueError(
                f"GATEWAY_METRICS_PORT ({self.metrics_port}) is the public port: the metrics "
                "need a port of their own (or 0 for none)"
            )
        return self

    @property
    def websocket_options(self) -> WebSocketOptions:
        """The client leg's server options: the gateway pings at its heartbeat (the same on
        both legs) rather than at ``websocket_ping_interval_seconds``."""
        return WebSocketOptions(
            per_message_deflate=self.websocket_per_message_deflate,
            max_message_bytes=self.websocket_max_message_bytes,
            ping_interval_seconds=self.websocket_heartbeat_seconds or None,
        )

    @property
    def rate_limits(self) -> dict[str, str]:
        """``<route>_per_ip`` / ``<route>_per_account`` / ``api_per_token`` → rate."""
        prefix = "rate_limit_"
        return {
            name.removeprefix(prefix): str(getattr(self, name))
            for name in type(self).model_fields
            if name.startswith(prefix)
        }

    @property
    def trusted_proxy_addresses(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.trusted_proxies.split(",") if part.strip())

    @property
    def hsts_seconds(self) -> int | None:
        """The HSTS max-age to send, None when none is sent (outside production)."""
        if self.environment != "production" or self.hsts_max_age_seconds == 0:
            return None
        return self.hsts_max_age_seconds

    @property
    def upstreams(self) -> dict[str, tuple[str, ...]]:
        """Service name → base URLs (no trailing slash) of every service behind the gateway."""
        return {
            name: parse_base_urls(str(getattr(self, f"{name}_url"))) for name in UPSTREAM_SERVICES
        }


def parse_base_urls(value: str) -> tuple[str, ...]:
    """Comma-separated http(s) base URLs, without trailing slashes.

    Raises ValueError saying which entry is wrong and how to write it.
    """
    urls: list[str] = []
    for part in value.split(","):
        url = part.strip().rstrip("/")
        if not url:
            raise ValueError(
                f"{value!r} has an empty entry; write one or more base URLs separated by "
                "commas, e.g. http://10.0.0.5:8104,http://10.0.0.6:8104"
            )
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.query
            or parts.fragment
            or parts.username is not None
        ):
            raise ValueError(
                f"{url!r} is not an http(s) base URL; write e.g. http://10.0.0.5:8104 "
                "(several separated by commas, no query, no credentials)"
            )
        if url in urls:
            raise ValueError(f"{url!r} is listed twice")
        urls.append(url)
    return tuple(urls)
