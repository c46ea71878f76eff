"""Rate limits at the edge: per client IP and per account on the routes that guess secrets or
send mail, and per access token on the whole API.

The counters live in this process's memory (``limits``' MemoryStorage): each gateway replica
(and each uvicorn worker) counts on its own, so N replicas allow up to N times the configured
rates. A shared storage (``limits`` speaks Redis, Memcached, MongoDB) is one URI away when the
gateway runs replicated. The algorithm is ``limits``' sliding window counter: O(1) memory per
key and no double burst at a window's edge. The per-token API limit, counted on every
authenticated request, is a fixed window kept in a plain dict (:class:`_FixedWindows`): a burst
at a window's edge is harmless there, and it costs a fraction of a ``limits`` hit.

"Account" is what the request names: the e-mail of a login, registration, verification
resend, password reset or authenticator reset, the hash of a refresh token (identity's
``aos_refresh`` cookie) or enrolment token, the pairing code. Those keys are
counted from the request body, which for these few small JSON requests the gateway reads
before forwarding (up to :data:`_BODY_PEEK_BYTES`) and then hands on unchanged.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import RateLimiter, SlidingWindowCounterRateLimiter
from starlette.types import Message, Receive, Scope

from gateway.tokens import bearer_token
from servicekit.problems import ProblemError

__all__ = ["LIMITED_ROUTES", "EdgeRateLimiter", "RateLimitedError", "parse_rate"]

# The limited bodies are small JSON documents; a larger one is forwarded with only its client
# IP counted (the service refuses it anyway).
_BODY_PEEK_BYTES = 64 * 1024


class RateLimitedError(ProblemError):
    status = 429
    slug = "rate-limited"
    title = "Too many requests"


def parse_rate(value: str) -> RateLimitItem:
    """``"10/minute"``, ``"5 per hour"`` ... as a ``limits`` item; ValueError if malformed."""
    return parse(value)


def _hashed(value: str) -> str:
    # Keys hold no secrets (tokens, codes) and no personal data in the clear.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


AccountKey = Callable[[Scope, bytes], str | None]


def _json_field(name: str, *, normalize: Callable[[str], str] = str.strip) -> AccountKey:
    def account(scope: Scope, body: bytes) -> str | None:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        value = document.get(name) if isinstance(document, dict) else None
        return _hashed(normalize(value)) if isinstance(value, str) and value.strip() else None

    return account


def _email(value: str) -> str:
    return value.strip().lower()


def _code(value: str) -> str:
    return "".join(value.split()).replace("-", "").upper()


def _bearer(scope: Scope, body: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            token = bearer_token(value)
            return _hashed(token) if token else None
    return None


def _cookie(cookie_name: str) -> AccountKey:
    prefix = cookie_name + "="

    def account(scope: Scope, body: bytes) -> str | None:
        for name, value in scope["headers"]:
            if name != b"cookie":
                continue
            for part in value.decode("latin-1").split(";"):
                part = part.strip()
                if part.startswith(prefix) and len(part) > len(prefix):
                    return _hashed(part[len(prefix) :].strip('"'))
        return None

    return account


@dataclass(frozen=True)
class LimitedRoute:
    """A route limited per client IP and per account; ``name`` picks its settings."""

    name: str
    method: str
    path: str
    # The account key from the request (headers and, if ``reads_body``, its body), or None.
    account: AccountKey
    reads_body: bool = True


LIMITED_ROUTES: tuple[LimitedRoute, ...] = (
    LimitedRoute(
        "login", "POST", "/api/identity/auth/login", _json_field("email", normalize=_email)
    ),
    LimitedRoute(
        "registration",
        "POST",
        "/api/identity/organizations",
        _json_field("email", normalize=_email),
    ),
    LimitedRoute(
        "refresh", "POST", "/api/identity/auth/refresh", _cookie("aos_refresh"), reads_body=False
    ),
    LimitedRoute(
        "password_reset",
        "POST",
        "/api/identity/password-resets",
        _json_field("email", normalize=_email),
    ),
    LimitedRoute(
        "totp_reset",
        "POST",
        "/api/identity/auth/totp-reset",
        _json_field("email", normalize=_email),
    ),
    LimitedRoute(
        "resend",
        "POST",
        "/api/identity/email-verifications/resend",
        _json_field("email", normalize=_email),
    ),
    LimitedRoute(
        "totp_confirm", "POST", "/api/identity/totp/enrolment/confirm", _bearer, reads_body=False
    ),
    LimitedRoute(
        "pairing", "POST", "/api/programming/agents/pair", _json_field("code", normalize=_code)
    ),
)


class _FixedWindows:
    """Counts per key, in a window that opens at the key's first hit and lasts ``seconds`` (as
    ``limits``' fixed window); refused hits are not counted. Windows that ended are dropped once
    per window length, so memory holds only the keys seen lately.
    """

    def __init__(
        self, amount: int, *, seconds: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.amount = amount
        self.seconds = seconds
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # key -> [ends at, count]
        self._next_sweep = clock() + seconds

    def hit(self, key: str) -> bool:
        """Count a hit for ``key``; False (and not counted) when its window is full."""
        now = self._clock()
        if now >= self._next_sweep:
            self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
            self._next_sweep = now + self.seconds
        window = self._windows.get(key)
        if window is None or window[0] <= now:
            window = self._windows[key] = [now + self.seconds, 0.0]
        if window[1] >= self.amount:
            return False
        window[1] += 1
        return True

    def state(self, key: str) -> tuple[float, int]:
        """(when ``key``'s window ends, in epoch seconds; hits left in it)."""
        window = self._windows.get(key)
        if window is None or window[0] <= self._clock():
            return self._clock() + self.seconds, self.amount
        return window[0], self.amount - int(window[1])


@dataclass(frozen=True)
class _Rule:
    route: LimitedRoute
    per_ip: RateLimitItem
    per_account: RateLimitItem


class EdgeRateLimiter:
    """Counts requests and raises :class:`RateLimitedError` (429) over a limit.

    ``rates`` maps ``<route>_per_ip``, ``<route>_per_account`` (for each of
    :data:`LIMITED_ROUTES`) and ``api_per_token`` to rates such as ``"10/minute"``.
    """

    def __init__(self, rates: dict[str, str]) -> None:
        storage = MemoryStorage()
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._rules = {
            (route.method, route.path): _Rule(
                route,
                per_ip=parse_rate(rates[f"{route.name}_per_ip"]),
                per_account=parse_rate(rates[f"{route.name}_per_account"]),
            )
            for route in LIMITED_ROUTES
        }
        self._per_token = parse_rate(rates["api_per_token"])
        self._token_windows = _FixedWindows(
            self._per_token.amount, seconds=float(self._per_token.get_expiry())
        )

    def limits(self, scope: Scope) -> bool:
        """Whether the request is to one of the routes limited per IP and account."""
        return (scope["method"], scope["path"]) in self._rules

    async def check_route(self, scope: Scope, receive: Receive, *, client: str) -> Receive:
        """Count a request to a limited route; returns the ``receive`` to forward it with.

        Raises RateLimitedError when the client's IP or the account it names is over its limit.
        """
        rule = self._rules.get((scope["method"], scope["path"]))
        if rule is None:
            return receive
        body = b""
        if rule.route.reads_body:
            body, receive = await _peek_body(receive)
        account = rule.route.account(scope, body)
        keys = [(rule.per_ip, f"{rule.route.name}:ip", client)]
        if account is not None:
            keys.append((rule.per_account, f"{rule.route.name}:account", account))
        await self._hit(keys, what=f"{rule.route.name} attempts")
        return receive

    def check_token(self, authorization: bytes | None) -> None:
        """Count an authenticated API request against its access token's limit."""
        token = bearer_token(authorization)
        if token is None:
            return
        # The signature alone tells tokens apart (each is over its own claims), and hashing
        # its 86 characters instead of the whole token (several hundred) is a tenth of the
        # work, on every authenticated request.
        key = _hashed(token.rpartition(".")[2])
        if not self._token_windows.hit(key):
            reset_at, remaining = self._token_windows.state(key)
            raise _refused(self._per_token, reset_at, remaining, what="API requests")

    async def _hit(self, keys: list[tuple[RateLimitItem, str, str]], *, what: str) -> None:
        # Test every key before counting any, so a refused request uses up no other budget.
        for item, namespace, key in keys:
            if not await self._limiter.test(item, namespace, key):
                raise await _refusal(self._limiter, item, namespace, key, what=what)
        for item, namespace, key in keys:
            await self._limiter.hit(item, namespace, key)


async def _refusal(
    limiter: RateLimiter, item: RateLimitItem, namespace: str, key: str, *, what: str
) -> RateLimitedError:
    """The 429 for ``key``, with the window's state in Retry-After and RateLimit-*."""
    stats = await limiter.get_window_stats(item, namespace, key)
    return _refused(item, stats.reset_time, stats.remaining, what=what)


def _refused(
    item: RateLimitItem, reset_at: float, remaining: int, *, what: str
) -> RateLimitedError:
    """The 429 for a window that resets at ``reset_at`` (epoch seconds)."""
    seconds = max(1, math.ceil(reset_at - time.time()))
    return RateLimitedError(
        f"Too many {what}: at most {item.amount} per {_window(item)}; retry in {seconds} seconds.",
        headers={
            "Retry-After": str(seconds),
            "RateLimit-Limit": str(item.amount),
            "RateLimit-Remaining": str(max(0, remaining)),
            "RateLimit-Reset": str(seconds),
        },
        retry_after_seconds=seconds,
    )


def _window(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"


async def _peek_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the body (up to :data:`_BODY_PEEK_BYTES`); returns it and a ``receive`` that
    replays what was read, then carries on with the client's."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if not message.get("more_body", False) or size > _BODY_PEEK_BYTES:
            break
    complete = not messages[-1].get("more_body", False) and messages[-1]["type"] == "http.request"
    body = b"".join(m.get("body", b"") for m in messages) if complete else b""

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return body, replay
