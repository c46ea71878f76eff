"""Metrics of several worker processes as one: prometheus_client's multiprocess mode.

With ``<SERVICE>_WORKERS`` (or ``GATEWAY_WORKERS``) above 1, uvicorn serves requests in worker
processes it spawns, each counting on its own. ``serve`` then gives them a fresh directory
(:func:`multiprocess_directory`, named in ``PROMETHEUS_MULTIPROC_DIR``, which the spawned workers
inherit and which makes prometheus_client keep every value in a file there), and a scrape,
whichever process answers it, reads all the files (:func:`metrics_registry`): counters and
histograms are summed, each gauge is merged as its ``multiprocess_mode`` says.

A worker that ends, or that uvicorn replaced after a crash, leaves its files. Its counters rightly
stay in the sums; its "live" gauges (open connections, a relay's activity) must not, so every
scrape first forgets the processes that no longer run (``mark_process_dead``), and a worker
forgets itself when it stops.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

__all__ = [
    "MULTIPROCESS_DIR_VARIABLE",
    "forget_dead_processes",
    "metrics_registry",
    "multiprocess_directory",
    "process_stopping",
]

# Read by prometheus_client when a process first imports it: it has to be in the environment
# the workers are spawned with, so it is the one variable written here rather than a setting.
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def multiprocess_directory(*, prefix: str) -> Iterator[str]:
    """A fresh directory for the workers started in the block (named in the environment they
    inherit); removed, with the name, after the block."""
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        os.environ[MULTIPROCESS_DIR_VARIABLE] = directory
        try:
            yield directory
        finally:
            os.environ.pop(MULTIPROCESS_DIR_VARIABLE, None)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as someone else
        return True
    return True


def forget_dead_processes(directory: str) -> list[int]:
    """Drop the live gauges of processes that left files in ``directory`` and no longer run;
    returns their ids."""
    pids = set()
    for path in Path(directory).glob("*.db"):
        _, _, tail = path.stem.rpartition("_")
        if tail.isdigit():
            pids.add(int(tail))
    dead = sorted(pid for pid in pids if pid != os.getpid() and not _running(pid))
    for pid in dead:
        mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
    return dead


def process_stopping(directory: str | None) -> None:
    """Take this process's live gauges out of the merged values (a worker that stops)."""
    if directory is not None:
        mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


class _LiveProcessesCollector(Collector):
    """The merged metrics of the processes writing to ``directory``, dead ones forgotten."""

    def __init__(self, directory: str) -> None:
        self._directory = directory
        self._merged = MultiProcessCollector(None, path=directory)  # type: ignore[no-untyped-call]

    def collect(self) -> Iterable[Metric]:
        forget_dead_processes(self._directory)
        return self._merged.collect()  # type: ignore[no-untyped-call,no-any-return]


def metrics_registry(directory: str | None) -> Collector:
    """What a scrape exports: this process's registry, or with ``directory`` (several workers)
    the merged values of every worker."""
    if directory is None:
        return REGISTRY
    registry = CollectorRegistry()
    registry.register(_LiveProcessesCollector(directory))
    return registry
