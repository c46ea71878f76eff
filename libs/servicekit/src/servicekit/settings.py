"""Settings base shared by every service.

Each service subclasses :class:`ServiceSettings` with its own env prefix (``IDENTITY_``,
``BILLING_`` ...). ``os.environ`` is read nowhere else. Values shared by the whole deployment
(``KAFKA_BOOTSTRAP_SERVERS``, ``AOS_ENVIRONMENT``) are read without the prefix.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.server import ConnectionLimits, WebSocketOptions

S = TypeVar("S", bound="ServiceSettings")

Environment = Literal["development", "test", "production"]

# Values that mean "nobody set this": refused outside development.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "password", "dev"})


class ServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``model_config`` with their env prefix."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = Field(
        default="development",
        validation_alias=AliasChoices("AOS_ENVIRONMENT", "environment"),
    )
    database_url: str = "postgresql+asyncpg://localhost/aos"
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:59092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    # Where the identity service publishes its signing keys; tokens are checked against it.
    jwks_url: str = Field(
        default="http://127.0.0.1:8101/.well-known/jwks.json",
        validation_alias=AliasChoices("AOS_JWKS_URL", "jwks_url"),
    )
    jwt_issuer: str = Field(
        default="aos-identity", validation_alias=AliasChoices("AOS_JWT_ISSUER", "jwt_issuer")
    )
    jwt_audience: str = Field(
        default="aos", validation_alias=AliasChoices("AOS_JWT_AUDIENCE", "jwt_audience")
    )
    # Longest lifetime (exp - iat) of an access token accepted, in seconds; tokens that claim
    # to live longer are refused even with a valid signature.
    jwt_max_lifetime_seconds: int = Field(
        default=3600,
        gt=0,
        validation_alias=AliasChoices("AOS_JWT_MAX_LIFETIME_SECONDS", "jwt_max_lifetime_seconds"),
    )
    # How often each process re-reads the token deny list (servicekit.revocations): a token of
    # a deactivated member is refused by every replica within about this many seconds.
    token_revocation_refresh_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices(
            "AOS_TOKEN_REVOCATION_REFRESH_SECONDS", "token_revocation_refresh_seconds"
        ),
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    # The same library warning (e.g. aiokafka's "Unable connect to node") is written once per
    # this many seconds, with a count of the repeats held back; 0 writes every one.
    log_repeat_window_seconds: float = Field(default=30.0, ge=0)
    # Largest accepted request body in bytes; larger ones get a 413 problem.
    max_body_bytes: int = 1_048_576
    # The database connection pool of each process: this many kept open (as many again may be
    # opened under load), and how long a unit of work waits for a free one before it fails
    # (a failure servicekit.failures counts as "database unavailable", so retried or 503).
    database_pool_size: int = Field(default=10, ge=1, le=500)
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # What a client may send before the app sees its request (see servicekit.server): the request
    # line and headers in bytes (431 beyond; above the gateway's 16 KiB so that what it forwards,
    # plus its own X-Forwarded-* and X-Request-Id, always fits), and the seconds allowed for the
    # headers and for the body (408 after, then the connection is closed).
    max_header_bytes: int = Field(default=32 * 1024, gt=0)
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    # WebSockets the service accepts (see servicekit.server.WebSocketOptions): per-message
    # deflate only when asked for (it costs tens of KiB per connection), the largest message in
    # bytes (1009 close beyond), and the server's ping interval in seconds (0: no pings).
    websocket_per_message_deflate: bool = False
    websocket_max_message_bytes: int = Field(default=1024 * 1024, gt=0)
    websocket_ping_interval_seconds: float = Field(default=20.0, ge=0)
    # Prefix for every Kafka topic and consumer group name; tests use a unique one each so that
    # they never see each other's events.
    topic_namespace: str = Field(
        default="", validation_alias=AliasChoices("AOS_TOPIC_NAMESPACE", "topic_namespace")
    )
    # Run Alembic migrations at start; on by default only in development.
    migrate_on_start: bool | None = None
    # Load the service's demo or reference data at start; None: only in development.
    seed_on_start: bool | None = None
    # Start the outbox relay and event consumers inside the web process.
    run_background_workers: bool = True
    # uvicorn worker processes of `serve`; with more than one, metrics are merged over them
    # (servicekit.multiprocess_metrics).
    workers: int = Field(default=1, ge=1)
    # Where the processes of one `serve` keep their metrics: set by `serve` itself for its
    # workers (a fresh directory per start); read here so that /metrics knows to merge them.
    metrics_multiprocess_dir: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PROMETHEUS_MULTIPROC_DIR", "metrics_multiprocess_dir"),
    )
    # How often each process reads the database-backed gauges (outbox backlog, a service's own
    # counts such as sessions by state), in seconds; 0: never.
    metrics_refresh_seconds: float = Field(
        default=5.0,
        ge=0,
        validation_alias=AliasChoices("AOS_METRICS_REFRESH_SECONDS", "metrics_refresh_seconds"),
    )
    # Tracing (servicekit.tracing). The OTLP/HTTP collector's base URL, e.g.
    # http://otel-collector:4318 (spans go to <url>/v1/traces); empty: nothing is exported,
    # while trace ids still reach the logs and the next process. Deployment-wide, no prefix.
    otlp_endpoint: str = Field(
        default="",
        validation_alias=AliasChoices(
            "AOS_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "otlp_endpoint"
        ),
    )
    # Share of the traces that start here which are sampled (0..1); a trace begun elsewhere
    # keeps its caller's decision, so a trace is whole or absent.
    trace_sample_ratio: float = Field(
        default=1.0,
        ge=0,
        le=1,
        validation_alias=AliasChoices("AOS_TRACE_SAMPLE_RATIO", "trace_sample_ratio"),
    )

    @field_validator("otlp_endpoint")
    @classmethod
    def _otlp_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(
                f"{value!r} is not an OTLP/HTTP collector URL; write it as "
                "http(s)://<host>:<port> (e.g. http://otel-collector:4318), or leave it empty"
            )
        return value

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def may_generate_keys(self) -> bool:
        """A missing key file may be generated: in development and test a lost key only logs
        people out or loses demo data, while in production a silently new key would hide a
        broken deployment (and leave sealed values unreadable)."""
        return self.environment in ("development", "test")

    @property
    def connection_limits(self) -> ConnectionLimits:
        return ConnectionLimits(
            max_header_bytes=self.max_header_bytes,
            header_timeout_seconds=self.header_timeout_seconds,
            body_timeout_seconds=self.body_timeout_seconds,
        )

    @property
    def websocket_options(self) -> WebSocketOptions:
        return WebSocketOptions(
            per_message_deflate=self.websocket_per_message_deflate,
            max_message_bytes=self.websocket_max_message_bytes,
            ping_interval_seconds=self.websocket_ping_interval_seconds or None,
        )

    @property
    def should_migrate_on_start(self) -> bool:
        if self.migrate_on_start is None:
            return self.environment != "production"
        return self.migrate_on_start

    @property
    def should_seed_on_start(self) -> bool:
        if self.seed_on_start is None:
            return self.is_development
        return self.seed_on_start

    def topic(self, name: str) -> str:
        """The Kafka topic (or consumer group) called ``name`` in this deployment."""
        return self.topic_namespace + name

    def secret_fields(self) -> tuple[str, ...]:
        """Names of fields that hold secrets; subclasses extend this."""
        return ()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.is_development:
            return self
        for name in self.secret_fields():
            value = getattr(self, name)
            raw = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            if raw is None or str(raw).strip().lower() in PLACEHOLDER_SECRETS:
                prefix = str(self.model_config.get("env_prefix", ""))
                raise ValueError(
                    f"{prefix}{name.upper()} is unset or a placeholder; set a real secret "
                    f"(environment={self.environment})"
                )
        return self


def load_settings(settings_class: type[S]) -> S:
    """Settings from the environment, or exit with a message that says which variable to fix.

    For command-line entry points: a traceback is no help to someone who mistyped a variable.
    """
    try:
        return settings_class()
    except ValidationError as exc:
        prefix = str(settings_class.model_config.get("env_prefix", ""))
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{prefix}{field.upper()}: {message}" if field else message)
        raise SystemExit(
            f"configuration error: {'; '.join(problems)}. Fix the environment and retry."
        ) from None
