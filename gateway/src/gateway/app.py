"""The gateway as one raw ASGI application: no framework routing, no middleware stack.

Per request: bind a request id, answer the gateway's own paths (probes, the merged OpenAPI
document; its metrics have a listener of their own, see gateway.metrics), otherwise resolve
``/api/<service>/<rest>``, check the access token unless the route is public, and hand over to
the protocol's proxy: :class:`~gateway.proxy.HttpProxy` for HTTP,
:class:`~gateway.websocket.WebSocketProxy` for WebSocket handshakes (same routing, same token
check; a WebSocket refused by the gateway is closed with a code a browser can read: 4401 without
a valid token, 4404 for an unknown service, 1011 when the service is down, 1013 when the gateway
is full or the signing keys cannot be fetched).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx
import orjson
from prometheus_client import Counter, Gauge
from starlette.types import Receive, Scope, Send

from gateway.config import GatewaySettings
from gateway.errors import (
    NotPublishedError,
    UnknownServiceError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)
from gateway.headers import ResponseHeaders
from gateway.openapi import INTERNAL_PATHS, MergedOpenApi
from gateway.proxy import HttpProxy, ProxiedResponse, client_address, new_upstream_session
from gateway.public import PublicRoutes
from gateway.ratelimit import EdgeRateLimiter
from gateway.spa import SinglePageApp
from gateway.tokens import EdgeAuthenticator
from gateway.upstream_client import UpstreamClient
from gateway.upstreams import UpstreamPool
from gateway.websocket import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNKNOWN_SERVICE,
    WebSocketProxy,
    WebSocketSession,
    refuse,
)
from servicekit.auth import IdentityUnavailableError, InvalidTokenError, JwksCache, TokenVerifier
from servicekit.logging import get_logger, request_id_var
from servicekit.middleware import HTTP_LATENCY, HTTP_REQUESTS, incoming_request_id
from servicekit.problems import NotFoundError, ProblemError, UnauthorizedError, problem_response
from servicekit.tracing import TracingMiddleware

__all__ = ["Gateway", "Route"]

log = get_logger("gateway.access")

UPSTREAM_ERRORS = Counter(
    "aos_gateway_upstream_errors_total",
    "Requests the gateway could not complete with a service, by kind",
    ["upstream", "kind"],
)
WEBSOCKET_SESSIONS = Counter(
    "aos_gateway_websocket_sessions_total",
    "WebSocket sessions that ended, by service and outcome (proxied, refused, unavailable)",
    ["upstream", "outcome"],
)
WEBSOCKET_MESSAGES = Counter(
    "aos_gateway_websocket_messages_total",
    "WebSocket messages passed through, by service and direction (to_service, to_client)",
    ["upstream", "direction"],
)
UPSTREAM_UP = Gauge(
    "aos_gateway_upstream_up",
    "Whether a service's replica (upstream: its base URL) answered its /healthz at the last "
    "readiness check (1) or not (0)",
    ["service", "upstream"],
    # With several workers, the latest check of any live worker.
    multiprocess_mode="livemostrecent",
)
WEBSOCKET_ACTIVE = Gauge(
    "aos_gateway_websocket_sessions_active",
    "Proxied WebSocket sessions open now",
    ["upstream"],
    # With several workers (gateway.metrics) the listener reports the sum over the live ones.
    multiprocess_mode="livesum",
)

API_PREFIX = "/api/"
OPENAPI_PATH = "/api/openapi.json"
# Each replica's /healthz gets this long at a readiness check: below the probe's timeout, so a
# service that hangs cannot make the gateway's own answer late.
READY_CHECK_SECONDS = 1.0
# Characters left unescaped when a path is escaped again (RFC 3986 pchar and "/").
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUIET_PATHS = frozenset({"/healthz", "/readyz"})
# The gateway's metrics are served on their own listener only (gateway.metrics). Here the path
# is no route, also when the portal is built: not its index.html as for a client route.
_NOT_PUBLISHED = frozenset({"/metrics"})
_JSON_HEADERS = [(b"content-type", b"application/json")]

try:
    VERSION = package_version("aos-gateway")
except PackageNotFoundError:  # running from a source tree without an install
    VERSION = "0.0.0"


@dataclass(frozen=True)
class Route:
    """Where ``/api/<service>/<rest>`` goes: the service, and the encoded path and query to
    append to one of its base URLs (gateway.upstreams picks which)."""

    service: str
    target: str

    @classmethod
    def resolve(cls, scope: Scope, upstreams: Mapping[str, UpstreamPool]) -> Route:
        """Strip ``/api/<service>`` and keep the rest of the path and query as sent.

        Raises UnknownServiceError when no service has that name, and NotPublishedError (a
        subclass) for a service's own probes and metrics, which are for the platform only.
        """
        path: str = scope["path"]
        service, _, _ = path[len(API_PREFIX) :].partition("/")
        if service not in upstreams:
            raise UnknownServiceError(
                f"There is no service called {service!r}; "
                f"the services are {', '.join(sorted(upstreams))}."
            )
        if _normalised(path[len(API_PREFIX) + len(service) :]) in INTERNAL_PATHS:
            raise NotPublishedError(
                f"No route for {path}; API paths are /api/<service>/..., see /api/openapi.json."
            )
        # The raw path keeps the client's percent-encoding (an escaped "/" stays escaped), as
        # long as the prefix was sent unescaped; else the decoded rest is escaped again. Either
        # way the rest starts with "/", so it can only ever extend the service's base URL.
        prefix = f"{API_PREFIX}{service}"
        raw_path: bytes | None = scope.get("raw_path")
        raw_prefix = prefix.encode()
        raw_rest: bytes | None = None
        if raw_path is not None and raw_path.startswith(raw_prefix):
            candidate = raw_path[len(raw_prefix) :]
            if not candidate or candidate.startswith(b"/"):
                raw_rest = candidate
        if raw_rest is not None:
            rest = raw_rest.decode("latin-1") or "/"
        else:
            rest = quote(path[len(prefix) :], safe=_PATH_SAFE) or "/"
        query: bytes = scope.get("query_string", b"")
        target = f"{rest}?{query.decode('latin-1')}" if query else rest
        return cls(service=service, target=target)


class Gateway:
    """The ASGI application. Build it with :func:`gateway.main.create_app`."""

    def __init__(
        self, settings: GatewaySettings, *, jwks_http: httpx.AsyncClient | None = None
    ) -> None:
        self.settings = settings
        self.upstreams = {
            name: UpstreamPool(name, urls, down_seconds=settings.upstream_down_seconds)
            for name, urls in settings.upstreams.items()
        }
        self.public = PublicRoutes()
        self.portal = SinglePageApp(settings.web_root)
        self.response_headers = ResponseHeaders(hsts_max_age_seconds=settings.hsts_seconds)
        # Parsed once: the settings property splits the string on every call.
        self._trusted_proxies = settings.trusted_proxy_addresses
        self._jwks_http = jwks_http
        # Built at start-up (lifespan), never at import time.
        self._session: aiohttp.ClientSession | None = None
        self._proxy: HttpProxy | None = None
        self._ws_proxy: WebSocketProxy | None = None
        self._ws_open = 0
        self._auth: EdgeAuthenticator | None = None
        self._jwks: JwksCache | None = None
        self._openapi: MergedOpenApi | None = None
        self._limiter: EdgeRateLimiter | None = None
        self._metric_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        # One SERVER span per HTTP request (servicekit.tracing); the proxy passes its context on.
        self._traced_http = TracingMiddleware(
            self._http, trust_caller=self._trusts_trace_of, route=self._span_route
        )

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Open the upstream pools and the JWKS cache; close them at shutdown."""
        settings = self.settings
        # Readiness checks and OpenAPI fetches (aiohttp); proxied requests go through the
        # UpstreamClient below.
        session = new_upstream_session(
            timeout_seconds=settings.upstream_timeout_seconds,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            max_connections=settings.upstream_max_connections,
        )
        jwks = JwksCache(settings.jwks_url, http=self._jwks_http)
        verifier = TokenVerifier(
            jwks,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
            cache_size=settings.token_cache_size,
        )
        # WebSockets hold their connection for hours: a pool of their own (bounded by
        # websocket_max_sessions instead), so they never starve the HTTP pool.
        ws_session = new_upstream_session(
            timeout_seconds=settings.upstream_timeout_seconds,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            max_connections=0,
        )
        self._session = session
        self._jwks = jwks
        self._ws_proxy = WebSocketProxy(
            ws_session,
            heartbeat_seconds=settings.websocket_heartbeat_seconds,
            max_message_bytes=settings.websocket_max_message_bytes,
            trusted_proxies=settings.trusted_proxy_addresses,
        )
        client = UpstreamClient(
            connect_timeout=settings.upstream_timeout_seconds,
            read_timeout=settings.upstream_timeout_seconds,
            keepalive_seconds=settings.upstream_keepalive_seconds,
            max_connections=settings.upstream_max_connections,
        )
        self._proxy = HttpProxy(
            client,
            max_body_bytes=settings.max_body_bytes,
            timeout_seconds=settings.upstream_timeout_seconds,
            trusted_proxies=settings.trusted_proxy_addresses,
        )
        self._auth = EdgeAuthenticator(verifier)
        if settings.rate_limits_enabled:
            self._limiter = EdgeRateLimiter(settings.rate_limits)
        self._openapi = MergedOpenApi(
            session,
            self.upstreams,
            ttl_seconds=settings.openapi_cache_seconds,
            version=VERSION,
            public=self.public,
        )
        log.info("gateway started", version=VERSION, upstreams=self.settings.upstreams)
        try:
            yield
        finally:
            await jwks.aclose()
            await client.close()
            await session.close()
            await ws_session.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._traced_http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup"
        phase = "startup"
        try:
            async with self.lifespan():
                await send({"type": "lifespan.startup.complete"})
                phase = "shutdown"
                message = await receive()
                assert message["type"] == "lifespan.shutdown"
        except Exception as exc:
            log.exception(f"gateway {phase} failed")
            await send({"type": f"lifespan.{phase}.failed", "message": repr(exc)})
            return
        await send({"type": "lifespan.shutdown.complete"})

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = incoming_request_id(scope)
        token = request_id_var.set(request_id)
        path: str = scope["path"]
        upstream = "-"
        session = WebSocketSession()
        try:
            if (await receive())["type"] != "websocket.connect":
                return  # the client left before its handshake reached us
            if not path.startswith(API_PREFIX) or path == OPENAPI_PATH:
                reason = "No WebSocket here; WebSocket paths are /api/<service>/..."
                await refuse(send, session, code=CLOSE_UNKNOWN_SERVICE, reason=reason)
                return
            try:
                route = Route.resolve(scope, self.upstreams)
            except UnknownServiceError as exc:
                await refuse(send, session, code=CLOSE_UNKNOWN_SERVICE, reason=exc.detail or "")
                return
            upstream = route.service
            if not self.public.matches("WEBSOCKET", path):
                try:
                    await self._authenticate(scope)
                except IdentityUnavailableError as exc:
                    await refuse(send, session, code=CLOSE_TRY_AGAIN_LATER, reason=exc.detail or "")
                    return
                except UnauthorizedError as exc:
                    await refuse(send, session, code=CLOSE_UNAUTHORIZED, reason=exc.detail or "")
                    return
            if self._ws_open >= self.settings.websocket_max_sessions:
                reason = "The gateway has too many WebSockets open; retry shortly."
                await refuse(send, session, code=CLOSE_TRY_AGAIN_LATER, reason=reason)
                return
            assert self._ws_proxy is not None, "the gateway's lifespan did not run"
            self._ws_open += 1
            active = WEBSOCKET_ACTIVE.labels(upstream)
            active.inc()
            try:
                await self._ws_proxy.forward(
                    scope,
                    receive,
                    send,
                    upstream=self.upstreams[route.service],
                    target=route.target,
                    request_id=request_id,
                    session=session,
                )
            finally:
                self._ws_open -= 1
                active.dec()
        except Exception:
            log.exception("websocket failed", path=path, upstream=upstream)
            session.close_code = CLOSE_INTERNAL_ERROR
            session.closed_by = "gateway"
            # Before the accept this is a refusal (403), after it a close; the client may be
            # gone already, and then there is no one left to tell.
            with suppress(Exception):
                await send({"type": "websocket.close", "code": CLOSE_INTERNAL_ERROR})
        finally:
            self._observe_websocket(path, upstream, session, time.perf_counter() - started)
            request_id_var.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        send = self.response_headers.wrap(send)
        started = time.perf_counter()
        request_id = incoming_request_id(scope)
        token = request_id_var.set(request_id)
        result = ProxiedResponse(status=500)
        path: str = scope["path"]
        method: str = scope["method"]
        upstream = "-"
        try:
            if path.startswith(API_PREFIX) and path != OPENAPI_PATH:
                route = Route.resolve(scope, self.upstreams)
                upstream = route.service
                receive = await self._rate_limit(scope, receive)
                if not self.public.matches(method, path):
                    authorization = await self._authenticate(scope)
                    if self._limiter is not None:
                        self._limiter.check_token(authorization)
                assert self._proxy is not None, "the gateway's lifespan did not run"
                await self._proxy.forward(
                    scope,
                    receive,
                    send,
                    upstream=self.upstreams[route.service],
                    target=route.target,
                    request_id=request_id,
                    result=result,
                )
            else:
                result.status = await self._own_endpoint(scope, send, request_id=request_id)
        except ProblemError as exc:
            if result.started:
                raise
            result.status = exc.status
            if isinstance(exc, UpstreamUnavailableError | UpstreamTimeoutError):
                UPSTREAM_ERRORS.labels(upstream, exc.slug).inc()
            await self._problem(scope, receive, send, exc, request_id=request_id)
        except Exception:
            log.exception("request failed", method=method, path=path, upstream=upstream)
            if result.started:
                raise
            result.status = 500
            await self._problem(
                scope,
                receive,
                send,
                _InternalError("Something went wrong in the gateway; retry, quote the request id."),
                request_id=request_id,
            )
        finally:
            seconds = time.perf_counter() - started
            self._observe(method, path, upstream, result.status, seconds)
            request_id_var.reset(token)

    def _trusts_trace_of(self, scope: Scope) -> bool:
        """Whether the caller's traceparent is continued: at the edge, a traceparent from
        anyone could choose our trace ids and force sampling, so only a trusted proxy in front
        (whose X-Forwarded-* are believed too) may; anyone else starts a new trace."""
        trusted = self._trusted_proxies
        client = scope.get("client")
        return "*" in trusted or (client is not None and client[0] in trusted)

    def _span_route(self, scope: Scope) -> str | None:
        """``/api/<service>`` for a known service, so span names stay few whatever is sent."""
        path: str = scope["path"]
        if not path.startswith(API_PREFIX):
            return None
        service = path[len(API_PREFIX) :].partition("/")[0]
        return f"{API_PREFIX}{service}" if service in self.upstreams else None

    async def _authenticate(self, scope: Scope) -> bytes | None:
        """Check the request's access token; returns its Authorization header."""
        authorization: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
                break
        assert self._auth is not None, "the gateway's lifespan did not run"
        await self._auth.check(authorization)
        return authorization

    async def _rate_limit(self, scope: Scope, receive: Receive) -> Receive:
        """Per client IP and account on the routes that check secrets (gateway.ratelimit)."""
        if self._limiter is None or not self._limiter.limits(scope):
            return receive  # most requests: no client address to work out
        client = client_address(scope, trusted_proxies=self._trusted_proxies)
        return await self._limiter.check_route(scope, receive, client=client)

    async def _own_endpoint(self, scope: Scope, send: Send, *, request_id: str) -> int:
        """Serve the gateway's own paths; returns the status sent."""
        path = scope["path"]
        if scope["method"] not in ("GET", "HEAD"):
            if path in (OPENAPI_PATH, *_QUIET_PATHS):
                raise _MethodNotAllowedError(f"{scope['method']} is not allowed here; use GET.")
            raise _not_found(path)
        if path == "/healthz":
            return await _send_json(send, {"status": "ok"}, request_id=request_id)
        if path == "/readyz":
            return await self._readyz(send, request_id=request_id)
        if path == OPENAPI_PATH:
            assert self._openapi is not None, "the gateway's lifespan did not run"
            document = await self._openapi.document()
            return await _send(send, 200, list(_JSON_HEADERS), document, request_id=request_id)
        if not path.startswith(API_PREFIX) and path not in _NOT_PUBLISHED:
            if not self.portal.built:
                raise _PortalNotBuiltError(
                    f"The web portal is not built in {self.portal.root}: run `make run` (it "
                    "builds web/) or `npm ci && npm run build` in web/."
                )
            file = self.portal.resolve(path)
            if file is not None:
                status = await self.portal.send_file(
                    send, file, head=scope["method"] == "HEAD", request_id=request_id
                )
                if status is not None:
                    return status
        raise _not_found(path)

    async def _readyz(self, send: Send, *, request_id: str) -> int:
        """200 with the state when this gateway can serve; else a 503 problem saying why.

        Ready means the gateway's own state: it has started (settings loaded, upstream clients
        built), it holds the signing keys to check access tokens, and the portal's files are
        there when it is to serve them (GATEWAY_PORTAL_REQUIRED). The services are not asked to
        be up: each has its own readiness, which keeps it out of its own Service, and taking
        every gateway out because one service is away would turn a partial outage (say AIR
        down) into a total one (the portal and every other service with it). Their state is
        shown in the body ("upstreams") and as ``aos_gateway_upstream_up``.
        """
        checks = {
            "started": "ok" if self._proxy is not None else "error: not started",
            "signing_keys": await self._check_signing_keys(),
            "portal": self._check_portal(),
        }
        upstreams = await self._check_upstreams()
        failing = {name: state for name, state in checks.items() if state.startswith("error")}
        if failing:
            reasons = "; ".join(
                f"{name}: {state.removeprefix('error: ')}" for name, state in failing.items()
            )
            raise _NotReadyError(
                f"This gateway cannot serve yet ({reasons}); it is kept out of rotation until "
                "it can. The services' state is in 'upstreams'.",
                checks=checks,
                upstreams=upstreams,
            )
        body = {"status": "ready", "checks": checks, "upstreams": upstreams}
        return await _send_json(send, body, request_id=request_id)

    async def _check_signing_keys(self) -> str:
        if self._jwks is None:
            return "error: not started"
        if await self._jwks.ensure_loaded():
            return "ok"
        return f"error: no signing keys could be fetched from {self._jwks.url}"

    def _check_portal(self) -> str:
        if self.portal.built:
            return "ok"
        if self.settings.portal_required:
            return f"error: the portal is not built in {self.portal.root}"
        return "not served"

    async def _check_upstreams(self) -> dict[str, str]:
        """Each service's /healthz: "ok" when any of its replicas answers, else what went wrong
        (with the first replica's error). Each replica's answer sets aos_gateway_upstream_up."""
        assert self._session is not None, "the gateway's lifespan did not run"
        session = self._session
        timeout = aiohttp.ClientTimeout(total=READY_CHECK_SECONDS)

        async def check(base_url: str) -> str:
            try:
                async with session.get(f"{base_url}/healthz", timeout=timeout) as response:
                    await response.read()
                    return "ok" if response.status == 200 else f"error: HTTP {response.status}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                return f"error: {type(exc).__name__}"

        async def check_any(pool: UpstreamPool) -> str:
            results = await asyncio.gather(*(check(url) for url in pool.urls))
            for url, result in zip(pool.urls, results, strict=True):
                UPSTREAM_UP.labels(pool.service, url).set(1 if result == "ok" else 0)
            return "ok" if "ok" in results else results[0]

        names = list(self.upstreams)
        results = await asyncio.gather(*(check_any(self.upstreams[name]) for name in names))
        return dict(zip(names, results, strict=True))

    async def _problem(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        exc: ProblemError,
        *,
        request_id: str,
    ) -> None:
        headers: dict[str, str] = {"x-request-id": request_id}
        if isinstance(exc, UnauthorizedError):
            challenge = 'Bearer realm="aos"'
            if isinstance(exc, InvalidTokenError):
                challenge += ', error="invalid_token"'
            headers["www-authenticate"] = challenge
        if isinstance(exc, IdentityUnavailableError):
            headers["retry-after"] = "5"
        for name, value in (exc.headers or {}).items():
            headers.setdefault(name.lower(), value)  # the gateway's own (above) come first
        response = problem_response(
            status=exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            instance=scope["path"],
            headers=headers,
            **exc.extra,
        )
        await response(scope, receive, send)

    def _observe(self, method: str, path: str, upstream: str, status: int, seconds: float) -> None:
        own = path if path in _OWN_PATHS else "other"
        route = f"/api/{upstream}" if upstream != "-" else own
        # Label values come from the client: bound them, and reuse the labelled children (a
        # labels() lookup per request is measurable at this request rate).
        label_method = method if method in _METHODS else "OTHER"
        key = (label_method, route, status)
        children = self._metric_children.get(key)
        if children is None:
            service = self.settings.service_name
            children = (
                HTTP_REQUESTS.labels(service, label_method, route, str(status)),
                HTTP_LATENCY.labels(service, label_method, route),
            )
            self._metric_children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        if path not in _QUIET_PATHS:
            log.info(
                "request",
                method=method,
                path=path,
                status=status,
                upstream=upstream,
                duration_ms=round(seconds * 1000, 3),
            )

    @staticmethod
    def _observe_websocket(
        path: str, upstream: str, session: WebSocketSession, seconds: float
    ) -> None:
        WEBSOCKET_SESSIONS.labels(upstream, session.outcome).inc()
        if session.messages_to_service:
            WEBSOCKET_MESSAGES.labels(upstream, "to_service").inc(session.messages_to_service)
        if session.messages_to_client:
            WEBSOCKET_MESSAGES.labels(upstream, "to_client").inc(session.messages_to_client)
        log.info(
            "websocket",
            path=path,
            upstream=upstream,
            outcome=session.outcome,
            status=session.status,
            close_code=session.close_code,
            closed_by=session.closed_by,
            duration_ms=round(seconds * 1000, 3),
            messages_to_service=session.messages_to_service,
            messages_to_client=session.messages_to_client,
            size_to_service=session.size_to_service,
            size_to_client=session.size_to_client,
        )


_OWN_PATHS = frozenset({OPENAPI_PATH, *_QUIET_PATHS})
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _normalised(path: str) -> str:
    """``path`` as a server would route it: empty and dot segments resolved."""
    segments: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if segments:
                segments.pop()
        elif part not in ("", "."):
            segments.append(part)
    return "/" + "/".join(segments)


class _InternalError(ProblemError):
    status = 500
    slug = "internal-error"
    title = "Internal error"


class _NotReadyError(ProblemError):
    status = 503
    slug = "not-ready"
    title = "Not ready"


class _PortalNotBuiltError(ProblemError):
    status = 503
    slug = "portal-not-built"
    title = "Portal not built"


class _MethodNotAllowedError(ProblemError):
    status = 405
    slug = "method-not-allowed"
    title = "Method not allowed"


def _not_found(path: str) -> ProblemError:
    return NotFoundError(
        f"No route for {path}; API paths are /api/<service>/..., see /api/openapi.json."
    )


async def _send(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, *, request_id: str
) -> int:
    headers.append((b"content-length", str(len(body)).encode()))
    headers.append((b"x-request-id", request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
    return status


async def _send_json(send: Send, body: Any, *, request_id: str, status: int = 200) -> int:
    return await _send(send, status, list(_JSON_HEADERS), orjson.dumps(body), request_id=request_id)
