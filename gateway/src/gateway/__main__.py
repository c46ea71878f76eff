"""``python -m gateway serve``: run the gateway with uvicorn (uvloop + httptools, limited)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import uvicorn

from gateway.config import GatewaySettings
from gateway.metrics import metrics_listener
from gateway.server import gateway_http_protocol
from servicekit.logging import configure_logging
from servicekit.settings import load_settings


def _serve(args: argparse.Namespace, settings: GatewaySettings) -> None:
    workers = args.workers or settings.workers
    configure_logging(service=settings.service_name, level=settings.log_level)
    # Metrics on their own listener, in this process; with several workers it sums theirs.
    with metrics_listener(host=settings.metrics_host, port=settings.metrics_port, workers=workers):
        _run_uvicorn(args, settings, workers=workers)


def _run_uvicorn(args: argparse.Namespace, settings: GatewaySettings, *, workers: int) -> None:
    uvicorn.run(
        "gateway.main:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=workers,
        loop="uvloop",
        # httptools, with the header size limit and header/body timeouts of the settings, and
        # each answer's head written with its body (gateway.server).
        http=gateway_http_protocol(settings.connection_limits),
        # Logging is ours (JSON lines with request ids); uvicorn's access log would repeat it.
        log_config=None,
        access_log=False,
        # The gateway forwards the service's answer; uvicorn's Server header would only add noise.
        server_header=False,
        # X-Forwarded-* are handled by the proxy itself (the peer is appended, not replaced).
        proxy_headers=False,
        # WebSockets (servicekit.server.WebSocketOptions, as the services): websockets-sansio,
        # whose ASGI handling the proxy was checked against (denial responses, backpressure);
        # per-message deflate only when GATEWAY_WEBSOCKET_PER_MESSAGE_DEFLATE asks for it; the
        # client leg's heartbeat and message limit match the service leg's.
        **settings.websocket_options.uvicorn_options(),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gateway",
        description="The AOS API gateway: routes /api/<service>/... to the services, "
        "checks access tokens at the edge, serves the merged OpenAPI document. "
        "Settings come from GATEWAY_* environment variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve HTTP (default 127.0.0.1:8080)")
    serve.add_argument("--host", help="address to bind (GATEWAY_HOST)")
    serve.add_argument("--port", type=int, help="port to bind (GATEWAY_PORT)")
    serve.add_argument("--workers", type=int, help="worker processes (GATEWAY_WORKERS)")
    args = parser.parse_args(argv)
    settings = load_settings(GatewaySettings)
    if args.command == "serve":
        _serve(args, settings)


if __name__ == "__main__":
    main()
