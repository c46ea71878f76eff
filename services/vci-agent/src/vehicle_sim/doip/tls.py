"""The entity's TLS side (ISO 13400-2:2019: TCP_DATA over TLS 1.2 or newer on port 3496)."""

import ssl
from pathlib import Path

__all__ = ["TLS_DATA_PORT", "server_tls_context"]

TLS_DATA_PORT = 3496


def server_tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """A server context with the entity's certificate chain (PEM) and its private key (PEM).

    The key stays in its file (the simulator never writes or logs it). Raises ``OSError`` or
    ``ssl.SSLError`` when either file cannot be read or they do not belong together.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=str(cert_file), keyfile=str(key_file))
    return context
