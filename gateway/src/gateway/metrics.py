"""The gateway's Prometheus metrics, on a listener of their own (``GATEWAY_METRICS_HOST`` and
``GATEWAY_METRICS_PORT``), never on the public port: what the gateway counts (requests per
service, upstream errors, WebSocket sessions) is for the platform, not for every client.

The listener is prometheus_client's small threaded HTTP server, started by ``python -m gateway
serve`` before uvicorn, in the process that runs uvicorn:

- One worker: that process is also the one serving requests, and the listener exports its
  registry.
- Several workers (``GATEWAY_WORKERS`` > 1): uvicorn serves requests in worker processes it
  spawns, each counting on its own, and the supervising process serves none. The workers then
  keep their values in files of a fresh temporary directory (prometheus_client's multiprocess
  mode, switched on by ``PROMETHEUS_MULTIPROC_DIR``, which the spawned workers inherit), and the
  listener in the supervising process exports the sum over all workers: one scrape sees the
  whole gateway, whichever worker served what. Counters of a worker that uvicorn replaced stay in
  the sum; its share of a live-summed gauge (open WebSockets) is dropped at the next scrape
  (``servicekit.multiprocess_metrics``). The directory is removed when the gateway stops.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY, start_http_server
from prometheus_client.registry import Collector

from servicekit.logging import get_logger
from servicekit.multiprocess_metrics import (
    MULTIPROCESS_DIR_VARIABLE,
    metrics_registry,
    multiprocess_directory,
)

__all__ = ["MULTIPROCESS_DIR_VARIABLE", "metrics_listener"]

log = get_logger("gateway.metrics")


@contextmanager
def metrics_listener(*, host: str, port: int, workers: int) -> Iterator[None]:
    """Serve the gateway's metrics on ``host:port`` while the block runs (port 0: none)."""
    if port == 0:
        yield
    elif workers > 1:
        with multiprocess_directory(prefix="aos-gateway-metrics-") as directory:
            registry = metrics_registry(directory)
            with _listening(host=host, port=port, registry=registry, workers=workers):
                yield
    else:
        with _listening(host=host, port=port, registry=REGISTRY, workers=workers):
            yield


@contextmanager
def _listening(*, host: str, port: int, registry: Collector, workers: int) -> Iterator[None]:
    try:
        server, thread = start_http_server(port, addr=host, registry=registry)
    except OSError as exc:
        raise SystemExit(
            f"The gateway's metrics listener cannot listen on {host}:{port} ({exc.strerror}); "
            "free the port or set GATEWAY_METRICS_PORT (0 turns the listener off)."
        ) from None
    log.info("metrics listener started", url=f"http://{host}:{port}/metrics", workers=workers)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
