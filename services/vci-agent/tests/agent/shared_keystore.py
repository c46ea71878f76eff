"""A keyring backend whose secrets live in a JSON file: the OS keystore's stand-in when a test
and the agent processes it starts must share one. Those processes load it through keyring's
own ``PYTHON_KEYRING_BACKEND=shared_keystore.SharedKeystore``, with ``AOS_TEST_KEYSTORE_FILE``
naming the file and this folder on ``PYTHONPATH``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_VARIABLE = "AOS_TEST_KEYSTORE_FILE"


class SharedKeystore(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.path = Path(os.environ[FILE_VARIABLE])

    def secrets(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        stored: dict[str, str] = json.loads(self.path.read_text())
        return stored

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self.path.write_text(json.dumps({**self.secrets(), f"{service}/{username}": password}))

    def delete_password(self, service: str, username: str) -> None:
        secrets = self.secrets()
        if secrets.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(f"no secret for {service}/{username}")
        self.path.write_text(json.dumps(secrets))
