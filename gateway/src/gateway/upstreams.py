"""Several base URLs per service: requests and WebSocket sessions are spread over them.

A service may run as several replicas, each with its own base URL
(``GATEWAY_PROGRAMMING_URL=http://a:8104,http://b:8104``). Each request or WebSocket session
starts at the next URL in turn (round robin). A replica that refuses the connection (killed,
restarting) is marked down for ``down_seconds``: the following requests try the live ones first,
so they do not pay for a refused connect each, and a down replica is tried again only after that
time or when no other is left. With one URL the list is that URL, always.

Only the connect is retried elsewhere: once a request may have reached a service it is never
sent a second time (see :mod:`gateway.proxy`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from prometheus_client import Counter

from servicekit.logging import get_logger

__all__ = ["UPSTREAM_REFUSALS", "UpstreamPool"]

log = get_logger("gateway.upstreams")

UPSTREAM_REFUSALS = Counter(
    "aos_gateway_upstream_connect_failures_total",
    "Connections to a service replica that failed before a request was sent (refused, "
    "unreachable, connect timeout); the next replica was tried if there was one",
    ["upstream"],
)


class UpstreamPool:
    """The base URLs (no trailing slash) of one service and which of them refused lately."""

    def __init__(
        self,
        service: str,
        urls: Sequence[str],
        *,
        down_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError(f"{service} needs at least one base URL")
        self.service = service
        self.urls = tuple(urls)
        self.down_seconds = down_seconds
        self._clock = clock
        self._next = 0
        # URL → clock time until which it is tried only after the others.
        self._down_until: dict[str, float] = {}

    def candidates(self) -> tuple[str, ...]:
        """The base URLs in the order one request should try them.

        Each call starts one further along (round robin); URLs marked down come last, so a
        request still reaches a replica that came back while the others went away.
        """
        urls = self.urls
        if len(urls) == 1:
            return urls
        start = self._next
        self._next = (start + 1) % len(urls)
        ordered = urls[start:] + urls[:start]
        if not self._down_until:
            return ordered
        now = self._clock()
        live = tuple(url for url in ordered if self._down_until.get(url, 0.0) <= now)
        if len(live) == len(ordered):
            self._down_until.clear()
            return ordered
        return live + tuple(url for url in ordered if url not in live)

    def mark_down(self, url: str, *, reason: str) -> None:
        """``url`` refused a connection: try it after the others for a while."""
        UPSTREAM_REFUSALS.labels(self.service).inc()
        if len(self.urls) == 1:
            return  # nothing else to prefer: every request tries it, as with one URL always
        now = self._clock()
        if self._down_until.get(url, 0.0) <= now:
            log.warning(
                "upstream marked down",
                upstream=self.service,
                url=url,
                reason=reason,
                seconds=self.down_seconds,
            )
        self._down_until[url] = now + self.down_seconds

    def mark_up(self, url: str) -> None:
        """``url`` answered: it is no longer avoided."""
        if self._down_until:
            self._down_until.pop(url, None)

    def is_down(self, url: str) -> bool:
        """Whether ``url`` is avoided now (refused a connection less than down_seconds ago)."""
        return self._down_until.get(url, 0.0) > self._clock()
