"""Prometheus metrics of the messaging loops, and the broker state every Kafka client reports.

The HTTP metrics live with the middleware that measures them; ``/metrics`` serves both.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter, Gauge

from servicekit.logging import describe_error

__all__ = [
    "CONSUMER_DEAD_LETTERS",
    "CONSUMER_PAUSED_PARTITIONS",
    "CONSUMER_RETRIES",
    "KAFKA_CONNECTED",
    "BrokerConnection",
]

KAFKA_CONNECTED = Gauge(
    "aos_kafka_connected",
    "1 while the Kafka broker answers this client, 0 while it does not",
    ["service", "role", "client"],
    # Several workers: 0 when any live worker's client does not reach the broker.
    multiprocess_mode="livemin",
)
CONSUMER_RETRIES = Counter(
    "aos_consumer_retries_total",
    "Failed attempts to apply an event that will be retried "
    "(reason: infrastructure = database or network away; unexpected = any other error)",
    ["service", "consumer", "reason"],
)
CONSUMER_DEAD_LETTERS = Counter(
    "aos_consumer_dead_letters_total",
    "Events sent to the dead-letter topic because of their own content",
    ["service", "consumer"],
)
TOKEN_DENY_LIST_READ = Gauge(
    "aos_token_deny_list_read_timestamp_seconds",
    "When this process last read its token deny list (Unix time): while it falls behind, "
    "tokens revoked meanwhile on another replica are still accepted here",
    ["service"],
    multiprocess_mode="livemin",  # several workers: the one furthest behind
)
TOKENS_REVOKED_REFUSED = Counter(
    "aos_tokens_revoked_refused_total",
    "Requests refused because their access token was issued before a change of its member's "
    "access (401 token-revoked)",
    ["service"],
)
CONSUMER_PAUSED_PARTITIONS = Gauge(
    "aos_consumer_paused_partitions",
    "Partitions whose consumer waits to retry an event that failed",
    ["service", "consumer"],
    multiprocess_mode="livesum",
)


class BrokerConnection:
    """Whether one Kafka client (the outbox relay, a consumer) reaches the broker.

    Sets ``aos_kafka_connected`` and logs once per change, not once per retry: one WARNING when
    the broker goes away and one INFO when it is back, however often the client retries in
    between. It starts as not connected, until the client has talked to the broker.
    """

    def __init__(self, log: Any, *, service: str, role: str, client: str) -> None:
        self._log = log
        self._gauge = KAFKA_CONNECTED.labels(service=service, role=role, client=client)
        self._gauge.set(0)
        self._down_since: float | None = time.monotonic()
        self._failures = 0
        self._warned = False

    @property
    def connected(self) -> bool:
        return self._down_since is None

    def up(self) -> None:
        self._gauge.set(1)
        if self._down_since is None:
            return
        if self._warned:
            self._log.info(
                "kafka reachable again",
                outage_s=round(time.monotonic() - self._down_since, 1),
                failed_attempts=self._failures,
            )
        self._down_since = None
        self._failures = 0
        self._warned = False

    def down(self, error: BaseException) -> None:
        self._gauge.set(0)
        self._failures += 1
        if self._down_since is None:
            self._down_since = time.monotonic()
        if not self._warned:
            self._warned = True
            self._log.warning(
                "kafka unreachable; retrying quietly until it is back",
                error=describe_error(error),
            )
        else:
            self._log.debug("kafka still unreachable", error=describe_error(error))
