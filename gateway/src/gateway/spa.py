"""Serving the built web portal (web/dist) at ``/``.

Files under the root are served as they are; a path that names no file and has no file
extension is a client-side route of the single-page app and gets ``index.html``. Files are kept
in memory and read again when their size or modification time changed, so a new build (`make
web-build` while the system runs) is served at once: index.html names the new hashed assets.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from starlette.types import Send

__all__ = ["SECURITY_HEADERS", "SinglePageApp"]

# The portal loads only its own scripts and styles; images may be data: URLs (QR codes, SVG
# diagrams rendered as <img>). Mantine sets style attributes, hence 'unsafe-inline' for styles.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)
# Vite puts content-hashed files under assets/: they never change under the same name.
_IMMUTABLE = b"public, max-age=31536000, immutable"
_REVALIDATE = b"no-cache"


class SinglePageApp:
    """The files of one built SPA, answered from memory."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        # path -> (mtime_ns, size, body)
        self._cache: dict[Path, tuple[int, int, bytes]] = {}

    @property
    def built(self) -> bool:
        return (self.root / "index.html").is_file()

    def resolve(self, path: str) -> Path | None:
        """The file for a request path, index.html for a client route, None when not found.

        Paths that would leave the root (``..``, symlinks out) or hold a NUL are not found.
        """
        if "\x00" in path:
            return None  # no file name holds a NUL, and os calls raise on one
        relative = PurePosixPath(path.lstrip("/"))
        if any(part in ("..", "") for part in relative.parts):
            return None
        candidate = (self.root / relative).resolve()
        if not candidate.is_relative_to(self.root):
            return None
        if candidate.is_file():
            return candidate
        if not relative.suffix:  # a client-side route such as /passes or /air/documents/x
            return self.root / "index.html"
        return None

    def read(self, file: Path) -> bytes | None:
        """The file's bytes, from memory while it is unchanged; None when it is gone."""
        try:
            stat = file.stat()
            cached = self._cache.get(file)
            if cached is not None and cached[:2] == (stat.st_mtime_ns, stat.st_size):
                return cached[2]
            body = file.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            self._cache.pop(file, None)
            return None
        self._cache[file] = (stat.st_mtime_ns, stat.st_size, body)
        return body

    async def send_file(self, send: Send, file: Path, *, head: bool, request_id: str) -> int | None:
        """Send the file; None (nothing sent) when it vanished since it was resolved."""
        body = self.read(file)
        if body is None:
            return None
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in (
            "application/javascript",
            "application/json",
            "image/svg+xml",
        ):
            content_type += "; charset=utf-8"
        immutable = file.parent.name == "assets"
        headers = [
            (b"content-type", content_type.encode()),
            (b"cache-control", _IMMUTABLE if immutable else _REVALIDATE),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
            *SECURITY_HEADERS,
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})
        return 200
