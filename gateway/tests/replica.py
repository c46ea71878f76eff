"""One replica of a service, as its own process, for the gateway's balancing tests.

``python replica.py <name> <port>`` serves on 127.0.0.1:<port> until killed:

- ``/healthz``: 200;
- ``/openapi.json``: a document with one path, ``/replica/<name>``;
- any other HTTP request: 200 JSON ``{"replica": name, "method", "path", "body_size"}``
  (the whole body is read);
- a WebSocket on any path: accepted; the replica sends its name, then echoes every message.

A test kills it with SIGKILL to play a replica that died: the kernel closes its sockets, and
connections to its port are refused from then on.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn


def replica(name: str) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        elif scope["type"] == "http":
            size = 0
            while True:
                message = await receive()
                size += len(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            path = scope["path"]
            if path == "/healthz":
                body: dict[str, Any] = {"status": "ok"}
            elif path == "/openapi.json":
                body = {
                    "openapi": "3.1.0",
                    "info": {"title": f"replica {name}", "version": "1"},
                    "paths": {f"/replica/{name}": {"get": {"responses": {"200": {}}}}},
                }
            else:
                body = {
                    "replica": name,
                    "method": scope["method"],
                    "path": path,
                    "body_size": size,
                }
            data = json.dumps(body).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": data})
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": name})
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("bytes") is not None:
                    await send({"type": "websocket.send", "bytes": message["bytes"]})
                else:
                    await send({"type": "websocket.send", "text": message["text"]})

    return app


if __name__ == "__main__":
    uvicorn.run(
        replica(sys.argv[1]),
        host="127.0.0.1",
        port=int(sys.argv[2]),
        ws="websockets-sansio",
        log_level="warning",
        lifespan="on",
    )
