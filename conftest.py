"""Root conftest: the service kit's fixtures (real PostgreSQL and Kafka) for every test folder."""

import os
import stat
from collections.abc import Iterator

import pytest

# With --import-mode=importlib pytest names gateway/tests/* "gateway.tests.*" after the folder;
# importing the real package first keeps that folder from shadowing it as a namespace package.
import gateway  # noqa: F401

pytest_plugins = ["servicekit.testing"]


def _null_device_intact() -> bool:
    try:
        return stat.S_ISCHR(os.stat(os.devnull).st_mode)
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _null_device_kept() -> Iterator[None]:
    """Fail the test after which the null device is no longer one. A run as root once left a
    plain file in its place (written by a process that unlinked or renamed over it), which
    breaks every non-root program on the machine (initdb as postgres first). Skipped where it
    was broken before the test, so only the test that broke it fails."""
    intact = _null_device_intact()
    yield
    if intact and not _null_device_intact():
        pytest.fail(
            f"{os.devnull} is no longer a character device after this test: it (or a process "
            "it started) replaced it. Restore it as root: "
            "rm -f /dev/null; mknod -m 666 /dev/null c 1 3"
        )
