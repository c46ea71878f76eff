"""The gateway between real services: small FastAPI apps built with servicekit, served by uvicorn
on real loopback ports in the test's event loop, and the gateway itself on a real port too.

"identity" publishes the edge token issuer's JWKS (the gateway fetches it over HTTP like it does
from the real identity service); "billing" has public catalogue routes and protected ones;
"programming" has WebSocket endpoints (echo, a binary-first agent socket that closes with 4401
without credentials, a refused handshake) and its edge-public HTTP routes; "air" is down (its
port has no listener). identity and billing also verify tokens themselves.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response, StreamingResponse
from pydantic import create_model
from pydantic_settings import SettingsConfigDict

from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.server import gateway_http_protocol
from servicekit.app import ServiceSpec, create_service_app
from servicekit.auth import CurrentPrincipal
from servicekit.settings import ServiceSettings
from servicekit.testing import TestTokenIssuer

MIB = 1024 * 1024
STARTUP_SECONDS = 20.0


class UpstreamSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GWTEST_", extra="ignore", frozen=True)

    # No database or Kafka is touched by these apps: nothing migrates, nothing relays.
    database_url: str = "postgresql+asyncpg://unused:unused@127.0.0.1:9/unused"
    migrate_on_start: bool | None = False
    run_background_workers: bool = False
    # Above the gateway's limit, so a 413 in these tests is the gateway's.
    max_body_bytes: int = 64 * 1024 * 1024


@asynccontextmanager
async def serve(app: Any, *, http: Any = "httptools") -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn (httptools, or the ``http`` protocol given;
    websockets-sansio) on a free loopback port; yields its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        http=http,
        ws="websockets-sansio",
        log_config=None,
        access_log=False,
        lifespan="on",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    if isinstance(app, FastAPI):
        # Tests read the connections' state (for example whether one is paused writing).
        app.state.uvicorn_server = server
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(STARTUP_SECONDS):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("uvicorn stopped during start-up")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


# --- the services behind the gateway ---------------------------------------------------------

# Both services call their item schema "ItemRead", with different fields: the merged OpenAPI
# document has to tell them apart.
IdentityItemRead = create_model("ItemRead", name=(str, ...))
BillingItemRead = create_model("ItemRead", code=(str, ...), price_minor=(int, ...))


def _echo(request: Request, **extra: Any) -> dict[str, Any]:
    request.app.state.hits += 1
    return {
        "method": request.method,
        "path": request.url.path,
        "raw_path": request.scope["raw_path"].decode(),
        "query": request.scope["query_string"].decode(),
        "headers": {k: v for k, v in request.headers.items()},
        **extra,
    }


def identity_app(edge_issuer: TestTokenIssuer) -> FastAPI:
    router = APIRouter(tags=["identity"])

    @router.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, Any]:
        return edge_issuer.jwks()

    @router.post("/auth/login")
    async def login(request: Request) -> dict[str, Any]:
        return _echo(request, body=(await request.body()).decode())

    @router.post("/auth/refresh")
    async def refresh(request: Request, response: Response) -> dict[str, Any]:
        # Like identity: a rotated HttpOnly refresh cookie, and a second cookie beside it.
        response.set_cookie(
            "aos_refresh", "rotated", path="/api/identity/auth", httponly=True, samesite="strict"
        )
        response.set_cookie("aos_other", "x", path="/", max_age=60)
        return _echo(request)

    @router.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str]:
        return {"user_id": str(principal.user_id)}

    async def echo(request: Request, rest: str) -> dict[str, Any]:
        return _echo(request)

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "PROPFIND"):
        router.add_api_route(
            "/echo/{rest:path}", echo, methods=[method], operation_id=f"echo_{method.lower()}"
        )

    @router.post("/uploads")
    async def upload(request: Request) -> dict[str, Any]:
        digest = hashlib.sha256()
        size = 0
        async for chunk in request.stream():
            digest.update(chunk)
            size += len(chunk)
        return {"size": size, "sha256": digest.hexdigest()}

    @router.get("/downloads")
    async def download(request: Request, mib: int = 4, gated: bool = False) -> StreamingResponse:
        gate: asyncio.Event = request.app.state.download_gate

        async def body() -> AsyncIterator[bytes]:
            block = bytes(range(256)) * 4096  # 1 MiB
            yield block
            if gated:
                # The rest comes only after the test has received the first MiB through the
                # gateway: a proxy that buffers the whole body would never let it.
                await gate.wait()
            for _ in range(mib - 1):
                yield block

        return StreamingResponse(body(), media_type="application/octet-stream")

    @router.get("/slow")
    async def slow(seconds: float) -> dict[str, float]:
        await asyncio.sleep(seconds)
        return {"slept": seconds}

    @router.get("/items/{name}")
    async def item(name: str) -> IdentityItemRead:
        return IdentityItemRead(name=name)

    return _service_app("identity", router, jwks_http=edge_issuer.http_client())


def billing_app(edge_issuer: TestTokenIssuer) -> FastAPI:
    router = APIRouter(tags=["billing"])

    @router.get("/catalog/products")
    async def products(request: Request) -> dict[str, Any]:
        return _echo(request)

    @router.get("/catalog/products/{code}")
    async def product(request: Request, code: str) -> dict[str, Any]:
        return _echo(request, code=code)

    @router.get("/orders")
    async def orders(request: Request) -> dict[str, Any]:
        return _echo(request)

    @router.get("/items/{code}")
    async def item(code: str) -> BillingItemRead:
        return BillingItemRead(code=code, price_minor=1000)

    return _service_app("billing", router, jwks_http=edge_issuer.http_client())


def programming_app() -> FastAPI:
    """WebSocket endpoints and public routes; checks no tokens itself (the edge is under test)."""
    router = APIRouter(tags=["programming"])

    async def accept(websocket: WebSocket) -> None:
        websocket.app.state.ws_hits += 1
        offered = websocket.scope.get("subprotocols") or []
        await websocket.accept(subprotocol=offered[0] if offered else None)

    async def echo_until_closed(websocket: WebSocket) -> None:
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    websocket.app.state.client_closes.append(
                        (message.get("code"), message.get("reason") or "")
                    )
                    return
                if message.get("bytes") is not None:
                    await websocket.send_bytes(message["bytes"])
                else:
                    await websocket.send_text(message["text"])
        except WebSocketDisconnect as exc:
            websocket.app.state.client_closes.append((exc.code, exc.reason or ""))

    @router.websocket("/ws/echo")
    async def ws_echo(websocket: WebSocket) -> None:
        await accept(websocket)
        await echo_until_closed(websocket)

    @router.websocket("/ws/hello")
    async def ws_hello(websocket: WebSocket) -> None:
        """Tells what the handshake looked like, then closes normally."""
        await accept(websocket)
        await websocket.send_json(
            {
                "path": websocket.url.path,
                "query": websocket.scope["query_string"].decode(),
                "headers": dict(websocket.headers.items()),
            }
        )
        await websocket.close(1000)

    @router.websocket("/ws/close/{code}")
    async def ws_close(websocket: WebSocket, code: int) -> None:
        await accept(websocket)
        await websocket.close(code, reason=f"closing with {code}")

    @router.websocket("/ws/flood")
    async def ws_flood(websocket: WebSocket, count: int, size: int) -> None:
        """Sends ``count`` binary messages as fast as the connection takes them."""
        await accept(websocket)
        websocket.app.state.flood_sent = 0
        block = b"f" * size
        for _ in range(count):
            await websocket.send_bytes(block)
            websocket.app.state.flood_sent += 1
        await websocket.close(1000)

    @router.websocket("/ws/refuse")
    async def ws_refuse(websocket: WebSocket) -> None:
        # Closing before accepting refuses the handshake (uvicorn answers HTTP 403).
        websocket.app.state.ws_hits += 1
        await websocket.close(1008)

    @router.websocket("/agent/ws")
    async def agent_ws(websocket: WebSocket) -> None:
        """Like the real agent socket: a device credential or 4401; the server speaks first."""
        await accept(websocket)
        if not websocket.headers.get("authorization", "").startswith("Device "):
            await websocket.close(4401, reason="device credential required")
            return
        for block in (b"\x00\x01", bytes(range(256)), b"\xff" * 70_000):
            await websocket.send_bytes(block)
        await echo_until_closed(websocket)

    @router.post("/agents/pair")
    async def pair(request: Request) -> dict[str, Any]:
        return _echo(request)

    @router.get("/releases/{release_id}/image")
    async def image(request: Request, release_id: str) -> Response:
        request.app.state.hits += 1
        return Response(
            release_id.encode() + b":" + request.headers.get("authorization", "").encode(),
            media_type="application/octet-stream",
        )

    @router.get("/sessions")
    async def sessions(request: Request) -> dict[str, Any]:
        return _echo(request)

    app = _service_app("programming", router, jwks_http=None)
    app.state.ws_hits = 0
    app.state.client_closes = []
    app.state.flood_sent = 0
    return app


def _service_app(name: str, router: APIRouter, *, jwks_http: httpx.AsyncClient | None) -> FastAPI:
    settings = UpstreamSettings(service_name=name)
    spec = ServiceSpec(
        title=f"test {name}",
        version="1",
        routers=[router],
        migrations_dir=Path(__file__).parent,
        token_revocations=False,  # no database: the deny list is the real services' own
    )
    # The service verifies tokens of the edge issuer itself too, through servicekit's JWKS seam.
    app = create_service_app(settings, spec, jwks_http=jwks_http)
    app.state.hits = 0
    app.state.download_gate = asyncio.Event()
    return app


# --- fixtures ----------------------------------------------------------------------------------


class Services:
    def __init__(
        self, *, identity: FastAPI, billing: FastAPI, programming: FastAPI, urls: dict[str, str]
    ) -> None:
        self.identity = identity
        self.billing = billing
        self.programming = programming
        self.urls = urls


@pytest.fixture(scope="session")
def edge_issuer() -> TestTokenIssuer:
    """Signs the tokens the gateway accepts; its JWKS is served by the identity test app."""
    return TestTokenIssuer()


@pytest.fixture(scope="session")
async def services(edge_issuer: TestTokenIssuer) -> AsyncIterator[Services]:
    identity = identity_app(edge_issuer)
    billing = billing_app(edge_issuer)
    programming = programming_app()
    # air's port stays bound but never listens: connections are refused, and no other process
    # (tests run side by side on this machine) can start listening there meanwhile.
    down = socket.socket()
    down.bind(("127.0.0.1", 0))
    async with (
        serve(identity) as identity_url,
        serve(billing) as billing_url,
        serve(programming) as programming_url,
    ):
        urls = {
            "identity": identity_url,
            "billing": billing_url,
            "programming": programming_url,
            "air": f"http://127.0.0.1:{down.getsockname()[1]}",  # nothing listens: air is down
        }
        try:
            yield Services(identity=identity, billing=billing, programming=programming, urls=urls)
        finally:
            down.close()


GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture(scope="session")
def start_gateway(services: Services, tmp_path_factory: pytest.TempPathFactory) -> GatewayFactory:
    """Start a gateway in front of the services with settings overrides; yields a client."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        values: dict[str, Any] = {
            "identity_url": services.urls["identity"],
            "billing_url": services.urls["billing"],
            "air_url": services.urls["air"],
            "programming_url": services.urls["programming"],
            "jwks_url": f"{services.urls['identity']}/.well-known/jwks.json",
            # No portal unless a test builds one: tests must not depend on web/dist.
            "web_root": tmp_path_factory.mktemp("no-portal") / "dist",
        }
        settings = GatewaySettings(**{**values, **overrides})
        async with (
            # Served with the gateway's own protocol, as `python -m gateway serve` does.
            serve(
                create_app(settings), http=gateway_http_protocol(settings.connection_limits)
            ) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as client,
        ):
            yield client

    return start


@pytest.fixture(scope="session")
async def gateway(start_gateway: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    """A gateway with default settings."""
    async with start_gateway() as client:
        yield client


@pytest.fixture
def auth(edge_issuer: TestTokenIssuer) -> dict[str, str]:
    """Headers with a valid access token."""
    return {"Authorization": f"Bearer {edge_issuer.token()}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def served_gateway(services: Services) -> Callable[..., AbstractAsyncContextManager[int]]:
    """``python -m gateway serve`` as its own process in front of the test services:
    ``served_gateway(log_path, GATEWAY_X="...")`` logs to ``log_path`` with those environment
    overrides and yields its port once it answers."""

    @asynccontextmanager
    async def start(log_path: Path, **env: str) -> AsyncIterator[int]:
        port = free_port()
        environment = {
            **os.environ,
            "GATEWAY_PORT": str(port),
            "GATEWAY_IDENTITY_URL": services.urls["identity"],
            "GATEWAY_BILLING_URL": services.urls["billing"],
            "GATEWAY_AIR_URL": services.urls["air"],
            "GATEWAY_PROGRAMMING_URL": services.urls["programming"],
            "AOS_JWKS_URL": f"{services.urls['identity']}/.well-known/jwks.json",
            **env,
        }
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "gateway", "serve", env=environment, stdout=log, stderr=log
            )
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                async with asyncio.timeout(60):
                    while True:
                        try:
                            if (await client.get("/healthz")).status_code == 200:
                                break
                        except httpx.TransportError:
                            await asyncio.sleep(0.2)
            yield port
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)

    return start
