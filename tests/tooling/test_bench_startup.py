"""A bench started without the stack says in one line what is missing and what to do, and exits
non-zero, instead of printing a database driver's traceback (servicekit.testing.require_stack).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from servicekit.testing import load_stack_env, require_stack

ROOT = Path(__file__).resolve().parents[2]
BENCHES = ROOT / "tests" / "bench"
# The benches that need the stack's PostgreSQL, with arguments that would make a short run.
STACK_BENCHES = [
    ("agent_swarm_bench.py", ["--agents", "10", "--window", "1"]),
    ("concurrent_flash_bench.py", ["--flashes", "1"]),
    ("air_search_bench.py", ["--documents", "10", "--requests", "2"]),
    ("event_latency_bench.py", ["--events", "2", "--clients", "1"]),
]


def unused_port() -> int:
    """A port nobody listens on (bound for a moment by the test, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(("bench", "arguments"), STACK_BENCHES)
def test_a_bench_without_postgresql_names_it_and_the_fix_in_one_line(
    bench: str, arguments: list[str]
) -> None:
    port = unused_port()
    env = {**os.environ, "AOS_POSTGRES_ADMIN_URL": f"postgresql://aos:pw@127.0.0.1:{port}/aos"}
    result = subprocess.run(
        [sys.executable, str(BENCHES / bench), *arguments],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"PostgreSQL does not answer at 127.0.0.1:{port} (AOS_POSTGRES_ADMIN_URL): connection"
        " refused; start it with `make stack-up`"
    ]


def test_no_stack_settings_anywhere_says_which_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No .local/stack.env above the working directory, and nothing in the environment.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AOS_POSTGRES_ADMIN_URL", raising=False)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)

    with pytest.raises(SystemExit) as exited:
        require_stack(kafka=True)

    message = str(exited.value.code)
    assert message.startswith("AOS_POSTGRES_ADMIN_URL and KAFKA_BOOTSTRAP_SERVERS not set")
    assert "make stack-up" in message
    assert "\n" not in message


def test_a_refused_login_is_told_apart_from_a_missing_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin_url = load_stack_env()["AOS_POSTGRES_ADMIN_URL"]
    user_and_host = admin_url.split("://", 1)[1]
    host = user_and_host.rsplit("@", 1)[1]
    monkeypatch.setenv("AOS_POSTGRES_ADMIN_URL", f"postgresql://nobody-here:wrong@{host}")

    with pytest.raises(SystemExit) as exited:
        require_stack()

    message = str(exited.value.code)
    assert message.startswith(f"PostgreSQL at {host.split('/')[0]} refused the bench:")
    assert "nobody-here" in message  # the server's own reason, which names the role
    assert "wrong" not in message  # never the password


def test_kafka_is_checked_when_the_bench_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    load_stack_env()  # PostgreSQL is the stack's, which answers
    port = unused_port()
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{port}")

    with pytest.raises(SystemExit) as exited:
        require_stack(kafka=True)

    assert str(exited.value.code) == (
        f"Kafka does not answer at 127.0.0.1:{port} (KAFKA_BOOTSTRAP_SERVERS): 127.0.0.1:{port}:"
        " connection refused; start it with `make stack-up`"
    )
    # A bench that needs no Kafka starts.
    assert require_stack()["KAFKA_BOOTSTRAP_SERVERS"] == f"127.0.0.1:{port}"
