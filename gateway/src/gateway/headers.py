"""Headers the gateway adds to every HTTP answer, its own and the services'.

The services already send ``Cache-Control: no-store`` and ``X-Content-Type-Options: nosniff``
(servicekit); the gateway adds them where an answer lacks them (its own problems, an upstream
that is not a servicekit app), never overriding what a route chose (the portal's caching). In
production it also sends HSTS: browsers then only ever reach the system over HTTPS.
"""

from __future__ import annotations

from starlette.types import Message, Send

from servicekit.middleware import with_default_headers

__all__ = ["ResponseHeaders"]


class ResponseHeaders:
    """Wraps an ASGI ``send`` so the response start carries the gateway's headers."""

    def __init__(self, *, hsts_max_age_seconds: int | None) -> None:
        """``hsts_max_age_seconds`` None (or 0) sends no Strict-Transport-Security."""
        self._hsts: tuple[tuple[bytes, bytes], ...] = ()
        if hsts_max_age_seconds:
            value = f"max-age={hsts_max_age_seconds}".encode()
            self._hsts = ((b"strict-transport-security", value),)

    def wrap(self, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = with_default_headers(message.get("headers", []))
                headers.extend(self._hsts)
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers
