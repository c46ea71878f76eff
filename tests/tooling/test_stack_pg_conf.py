"""deploy/local/stack.py: the local PostgreSQL is durable unless the test suite asks for speed.

`make run` and `make test` share one cluster; these tests check the settings file that every
start (or reload) applies, and switch a throwaway cluster of their own, never the shared one.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

STACK_PY = Path(__file__).resolve().parents[2] / "deploy" / "local" / "stack.py"
DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")


def load_stack(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """deploy/local/stack.py, a script rather than a package."""
    spec = importlib.util.spec_from_file_location("aos_local_stack", STACK_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """stack.py with its data dir in tmp_path (no server is started)."""
    module = load_stack(monkeypatch)
    monkeypatch.setattr(module, "PG_DATA", tmp_path)
    return module


def settings(text: str) -> dict[str, str]:
    """name -> value of a postgresql.conf text (comments and blank lines skipped)."""
    pairs = (
        re.fullmatch(r"\s*(\w+)\s*=\s*(.*?)\s*", line)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {match[1]: match[2] for match in pairs if match}


def test_make_run_gets_durable_settings(stack: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AOS_POSTGRES_FAST", raising=False)

    stack.write_pg_conf(55432, None, fast=stack.fast_postgres())

    conf = settings((stack.PG_DATA / stack.PG_CONF_NAME).read_text())
    assert {name: conf[name] for name in DURABILITY} == dict.fromkeys(DURABILITY, "on")
    assert conf["port"] == "55432"


def test_the_test_suite_may_ask_for_fast_settings(
    stack: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AOS_POSTGRES_FAST", "1")

    stack.write_pg_conf(55432, None, fast=stack.fast_postgres())

    conf = settings((stack.PG_DATA / stack.PG_CONF_NAME).read_text())
    assert {name: conf[name] for name in DURABILITY} == dict.fromkeys(DURABILITY, "off")


def test_a_mode_change_is_reported_so_a_running_cluster_reloads(stack: ModuleType) -> None:
    assert stack.write_pg_conf(55432, None, fast=True) is True
    assert stack.write_pg_conf(55432, None, fast=True) is False
    assert stack.write_pg_conf(55432, None, fast=False) is True
    assert stack.write_pg_conf(55432, None, fast=False) is False


def test_make_test_sets_the_fast_mode_and_make_run_does_not() -> None:
    makefile = (STACK_PY.parents[2] / "Makefile").read_text()

    assert re.search(r"^test: export AOS_POSTGRES_FAST := 1$", makefile, re.MULTILINE)
    assert not re.search(r"^(run|stack-up):.*AOS_POSTGRES_FAST", makefile, re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def own_cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """stack.py pointed at a throwaway cluster of its own (never the shared one), on a free port.

    The folder is outside pytest's private tmp dir: as root, PostgreSQL runs as another user
    that must be able to reach it.
    """
    root = Path(tempfile.mkdtemp(prefix="aos-stack-test-"))
    root.chmod(0o755)
    module = load_stack(monkeypatch)
    if module.find_pg_bindir() is None:
        pytest.skip("no local PostgreSQL server binaries (initdb, pg_ctl)")
    monkeypatch.setattr(module, "PG_DIR", root / "pg")
    monkeypatch.setattr(module, "PG_DATA", root / "pg" / "data")
    monkeypatch.setattr(module, "PG_PASSWORD_FILE", root / "pg" / "superuser.password")
    monkeypatch.setattr(module, "PG_LOG", root / "pg" / "server.log")
    monkeypatch.setenv("AOS_POSTGRES_PORT", str(free_port()))
    try:
        yield module
    finally:
        if module.PG_DATA.exists():
            stop = module.pg_tool(
                module.find_pg_bindir(), "pg_ctl", "stop", "-m", "immediate", "-D", module.PG_DATA
            )
            module.run(stop, as_user=module.pg_os_user(create=False), check=False)
        shutil.rmtree(root, ignore_errors=True)


def durability(stack: ModuleType, server: object) -> dict[str, str]:
    dsn = server.connect_dsn()  # type: ignore[attr-defined]
    return {name: asyncio.run(stack.current_setting(dsn, name)) for name in DURABILITY}


def test_a_running_cluster_takes_the_other_mode_without_a_restart(
    own_cluster: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AOS_POSTGRES_FAST", "1")
    server = own_cluster.local_pg_up()
    assert durability(own_cluster, server) == dict.fromkeys(DURABILITY, "off")
    pid = own_cluster.postmaster_info()[0]

    monkeypatch.delenv("AOS_POSTGRES_FAST")
    server = own_cluster.local_pg_up()

    assert durability(own_cluster, server) == dict.fromkeys(DURABILITY, "on")
    assert own_cluster.postmaster_info()[0] == pid
