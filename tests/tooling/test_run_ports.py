"""deploy/local/run.py's ports: the end-to-end tests look for a free range by the same offsets,
and the gateway's metrics have a port of their own."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_PY = ROOT / "deploy" / "local" / "run.py"
E2E_CONFTEST = ROOT / "tests" / "e2e" / "conftest.py"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """deploy/local/run.py, a script rather than a package (it imports its neighbour
    demo_agent.py)."""
    monkeypatch.syspath_prepend(str(RUN_PY.parent))
    spec = importlib.util.spec_from_file_location("aos_local_run", RUN_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up there
    spec.loader.exec_module(module)
    return module


def e2e_offsets() -> tuple[int, ...]:
    """OFFSETS as written in tests/e2e/conftest.py (read, not imported: it is a conftest)."""
    for node in ast.parse(E2E_CONFTEST.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "OFFSETS" for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, tuple)
            return value
    raise AssertionError("tests/e2e/conftest.py has no OFFSETS")


def test_the_e2e_tests_reserve_every_port_run_py_opens(run: ModuleType) -> None:
    base = 20_000
    ports = dataclasses.astuple(run.Ports.from_base(base))

    assert tuple(port - base for port in ports) == e2e_offsets()
    assert len(set(ports)) == len(ports)


def test_the_gateways_metrics_have_a_port_of_their_own(run: ModuleType) -> None:
    ports = run.Ports.from_base(8080)

    assert ports.gateway_metrics == 8090
    assert ports.gateway_metrics not in {
        port for field, port in dataclasses.asdict(ports).items() if field != "gateway_metrics"
    }
