"""What the gateway costs: latency and throughput direct, via the gateway, and via nginx.

Starts, on 127.0.0.1 only: a small servicekit upstream (``bench_upstream.py``, uvicorn with
uvloop + httptools), the gateway in front of it (``python -m gateway serve``, routing
``/api/billing/`` to it, checking a real EdDSA access token against the JWKS the upstream
publishes), the same gateway with its token cache turned off, and nginx as the reference reverse
proxy (generated config in a temporary folder, keep-alive upstream, a non-daemon child). Each
target is measured with ``wrk --latency`` at each connection count for ``--duration`` seconds
after a one-second warm-up; every request carries the same Authorization header. Every process
started here is stopped by its PID at the end.

"proxy CPU" is the proxy process's user + system time (``/proc/<pid>/stat``, its worker
processes included) over the requests wrk counted. nginx runs one worker process
(``worker_processes 1``), as the gateway runs one uvicorn worker unless ``--gateway-workers``
adds variants with more. With ``--rounds N`` every target is measured N times, interleaved, and
the aims are judged on the median of the rounds' ratios (each ratio from one round, so that the
targets of a ratio shared the machine's load).

``--callgrind-requests N`` also counts the instructions a proxied request costs each gateway
variant (``valgrind --tool=callgrind``, N sequential requests on one kept-alive connection after
a warm-up, counting switched on only for them): unlike CPU time, the count does not depend on
what else the machine is doing. It is slow (a minute or two per variant) and needs valgrind.

``--python-floor`` adds ``bare_python_proxy.py`` as a target: the least a Python proxy does per
request, so that the gateway's CPU can be split into what Python itself costs and what it adds.

Needs ``wrk`` and ``nginx`` on PATH (``apt-get install -y wrk nginx``); installs nothing itself.

Usage: ``python tests/bench/gateway_bench.py [--duration 5] [--connections 1,32] [--rounds 1]
[--gateway-workers 1]``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from servicekit.testing import TestTokenIssuer

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
# The issues' aims for the gateway: added p50 at 1 connection; at 32 connections its req/s as a
# share of direct's, its p99 as a multiple of direct's, its CPU per request as one of nginx's.
MAX_ADDED_P50_MS = 0.5
AIM_CONNECTIONS = 32
MIN_THROUGHPUT_RATIO = 0.8
MAX_P99_RATIO = 2.0
MAX_CPU_RATIO_TO_NGINX = 2.0

NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream service {{
        server {upstream};
        keepalive 64;
    }}
    server {{
        listen {host}:{port};
        location /api/billing/ {{
            proxy_pass http://service/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $proxy_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host;
        }}
    }}
}}
"""


@dataclass
class Target:
    name: str
    url: str
    pid: int | None  # the proxy process whose CPU time is counted (None: direct)


@dataclass
class Cell:
    round: int
    target: str
    connections: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    proxy_cpu_us: float | None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, *, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:g} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its child processes (nginx workers)."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(p) for p in (task / "children").read_text().split()]
    total = 0
    for one in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _find(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"wrk printed no {pattern!r}:\n{text}")
    return match.group(1)


def run_wrk(
    url: str, *, connections: int, seconds: float, token: str
) -> tuple[float, float, float, int, int]:
    """(requests/s, p50 ms, p99 ms, error count, request count) of one wrk run."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--latency",
        "-H",
        f"Authorization: Bearer {token}",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", out))
    p50 = _ms(_find(r"\s50%\s+(\S+)", out))
    p99 = _ms(_find(r"\s99%\s+(\S+)", out))
    count = int(_find(r"(\d+) requests in", out))
    errors = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(found.group(1))
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if found := re.search(socket_errors, out):
        errors += sum(int(n) for n in found.groups())
    return rps, p50, p99, errors, count


def measure(target: Target, *, connections: int, seconds: float, token: str, round_no: int) -> Cell:
    run_wrk(target.url, connections=connections, seconds=1, token=token)  # warm-up
    before = cpu_seconds(target.pid) if target.pid else 0.0
    rps, p50, p99, errors, count = run_wrk(
        target.url, connections=connections, seconds=seconds, token=token
    )
    cpu_us = None
    if target.pid:
        cpu_us = (cpu_seconds(target.pid) - before) / max(count, 1) * 1e6
    return Cell(round_no, target.name, connections, rps, p50, p99, errors, cpu_us)


@contextlib.contextmanager
def started(processes: list[subprocess.Popen[bytes]]) -> Iterator[None]:
    """Stop every process in the list (by PID) when the block ends."""
    try:
        yield
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def spawn(
    command: list[str], *, env: dict[str, str], log: Path, processes: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=HERE)
    processes.append(process)
    return process


def count_instructions(
    name: str,
    *,
    env: dict[str, str],
    requests: int,
    token: str,
    tmp: Path,
    keep_in: Path | None = None,
) -> float:
    """Instructions per proxied request of a gateway started under callgrind with ``env``;
    ``keep_in``: a folder the profile is copied to (for ``callgrind_annotate``)."""
    port = free_port()
    out = tmp / f"callgrind.{name.replace(' ', '_').replace(',', '')}.out"
    processes: list[subprocess.Popen[bytes]] = []
    with started(processes):
        process = spawn(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "gateway",
                "serve",
            ],
            env={**env, "GATEWAY_PORT": str(port), "GATEWAY_WORKERS": "1"},
            log=tmp / f"{out.name}.log",
            processes=processes,
        )
        wait_ready(f"http://{HOST}:{port}/healthz", process=process, timeout=900)
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        headers = {"Authorization": f"Bearer {token}"}

        def one() -> None:
            connection.request("GET", "/api/billing/items", headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{name}: HTTP {response.status} under callgrind")

        for _ in range(50):  # warm-up: caches filled, code paths taken once
            one()
        control = ["callgrind_control"]
        subprocess.run([*control, "-i", "on", str(process.pid)], check=True, capture_output=True)
        for _ in range(requests):
            one()
        subprocess.run([*control, "-i", "off", str(process.pid)], check=True, capture_output=True)
        subprocess.run([*control, "-d", str(process.pid)], check=True, capture_output=True)
        connection.close()
    total = 0
    for dump in tmp.glob(f"{out.name}*"):
        if keep_in is not None:
            keep_in.mkdir(parents=True, exist_ok=True)
            shutil.copy(dump, keep_in / dump.name)
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    return total / requests


def print_table(cells: list[Cell]) -> None:
    direct = {(c.round, c.connections): c for c in cells if c.target == "direct"}
    print()
    header = (
        f"{'round':>5}{'conns':>6}  {'target':<25}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'x direct':>10}{'added p50':>12}{'proxy CPU':>14}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    for cell in cells:
        base = direct[(cell.round, cell.connections)]
        ratio = cell.requests_per_second / base.requests_per_second
        added = "" if cell.target == "direct" else f"{cell.p50_ms - base.p50_ms:+.3f} ms"
        cpu = "" if cell.proxy_cpu_us is None else f"{cell.proxy_cpu_us:.0f} us/req"
        print(
            f"{cell.round:>5}{cell.connections:>6}  {cell.target:<25}"
            f"{cell.requests_per_second:>9.0f}"
            f"{cell.p50_ms:>9.3f}{cell.p99_ms:>9.3f}{ratio:>10.2f}{added:>12}{cpu:>14}"
            f"{cell.errors:>8}"
        )
    print_aims(cells, direct)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class Ratios:
    """One proxy's figures at AIM_CONNECTIONS, each the median over the rounds."""

    throughput: float  # req/s as a share of direct's
    p99: float  # p99 as a multiple of direct's
    cpu_us: float  # CPU per request
    cpu_to_nginx: float  # CPU per request as a multiple of nginx's (same round)


def ratios(cells: list[Cell], name: str) -> Ratios | None:
    by_key = {(c.target, c.round, c.connections): c for c in cells}
    mine = [c for c in cells if c.target == name and c.connections == AIM_CONNECTIONS]
    if not mine:
        return None
    throughput, p99, cpu, to_nginx = [], [], [], []
    for cell in mine:
        base = by_key[("direct", cell.round, cell.connections)]
        throughput.append(cell.requests_per_second / base.requests_per_second)
        p99.append(cell.p99_ms / base.p99_ms)
        if cell.proxy_cpu_us is not None:
            cpu.append(cell.proxy_cpu_us)
            reference = by_key.get(("nginx", cell.round, cell.connections))
            if reference is not None and reference.proxy_cpu_us:
                to_nginx.append(cell.proxy_cpu_us / reference.proxy_cpu_us)
    return Ratios(_median(throughput), _median(p99), _median(cpu), _median(to_nginx))


def print_aims(cells: list[Cell], direct: dict[tuple[int, int], Cell]) -> None:
    """Per proxy: the ratios the aims are about (median over rounds), and whether each is met."""
    rounds = len({c.round for c in cells})
    print()
    print(f"at {AIM_CONNECTIONS} connections, median of {rounds} round(s):")
    print(
        f"  {'target':<25}{'req/s x direct':>16}{'p99 x direct':>14}"
        f"{'CPU us/req':>12}{'CPU x nginx':>13}"
    )
    for name in dict.fromkeys(c.target for c in cells if c.target != "direct"):
        found = ratios(cells, name)
        if found is not None:
            print(
                f"  {name:<25}{found.throughput:>16.2f}{found.p99:>14.2f}"
                f"{found.cpu_us:>12.0f}{found.cpu_to_nginx:>13.2f}"
            )
    one = [c for c in cells if c.target == "gateway" and c.connections == 1]
    if one:
        added = _median([c.p50_ms - direct[(c.round, 1)].p50_ms for c in one])
        verdict = "met" if added <= MAX_ADDED_P50_MS else "MISSED"
        print(f"aim: p50 added <= {MAX_ADDED_P50_MS} ms at 1 connection: {verdict} ({added:+.3f})")
    gateway = ratios(cells, "gateway")
    if gateway is not None:
        aims = [
            (f"req/s >= {MIN_THROUGHPUT_RATIO:g} x direct", gateway.throughput, True),
            (f"p99 <= {MAX_P99_RATIO:g} x direct", gateway.p99, False),
            (f"CPU/request <= {MAX_CPU_RATIO_TO_NGINX:g} x nginx's", gateway.cpu_to_nginx, False),
        ]
        limits = [MIN_THROUGHPUT_RATIO, MAX_P99_RATIO, MAX_CPU_RATIO_TO_NGINX]
        for (text, value, at_least), limit in zip(aims, limits, strict=True):
            met = value >= limit if at_least else value <= limit
            print(f"aim at {AIM_CONNECTIONS}: {text}: {'met' if met else 'MISSED'} ({value:.2f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark the AOS gateway against direct calls and nginx (loopback only)."
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per cell (5)")
    parser.add_argument(
        "--connections", default="1,32", help="comma-separated connection counts (1,32)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure every target this many times (1)"
    )
    parser.add_argument(
        "--gateway-workers",
        default="1",
        help="comma-separated GATEWAY_WORKERS, one gateway variant each (1)",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="also run the gateway package found in this folder (e.g. an older commit's "
        "gateway/src, from `git archive`) as 'gateway, baseline', to compare in the same run",
    )
    parser.add_argument(
        "--callgrind-requests",
        type=int,
        default=0,
        help="also count instructions per request of each gateway variant under callgrind, "
        "over this many requests (0: off; slow, needs valgrind)",
    )
    parser.add_argument(
        "--callgrind-dir",
        type=Path,
        help="keep the callgrind profiles in this folder (read them with callgrind_annotate)",
    )
    parser.add_argument(
        "--python-floor",
        action="store_true",
        help="also measure bare_python_proxy.py: the least a Python proxy does per request "
        "(parse, pass on, parse, pass back), to tell what Python itself costs",
    )
    parser.add_argument(
        "--no-cache-variant",
        action="store_true",
        help="skip the gateway variant with its token cache turned off",
    )
    args = parser.parse_args(argv)
    connection_counts = [int(n) for n in args.connections.split(",")]
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if missing:
        print(
            f"missing: {', '.join(missing)}; install with: apt-get install -y wrk nginx",
            file=sys.stderr,
        )
        return 2
    nginx = shutil.which("nginx")
    assert nginx is not None

    issuer = TestTokenIssuer()
    token = issuer.token(ttl=3600)
    worker_counts = [int(n) for n in args.gateway_workers.split(",")]
    ports = {
        name: free_port()
        for name in ("upstream", "gateway_nocache", "gateway_baseline", "nginx", "floor")
    }
    ports.update({f"gateway_{n}": free_port() for n in worker_counts})
    upstream = f"http://{HOST}:{ports['upstream']}"
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="aos-gateway-bench-") as tmp_name, started(processes):
        tmp = Path(tmp_name)
        tmp.chmod(0o755)  # nginx workers run as another user when started by root
        env = {**os.environ, "BENCH_UPSTREAM_JWKS_DOCUMENT": json.dumps(issuer.jwks())}
        upstream_process = spawn(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench_upstream:create_app",
                "--factory",
                "--host",
                HOST,
                "--port",
                str(ports["upstream"]),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            log=tmp / "upstream.log",
            processes=processes,
        )
        wait_ready(f"{upstream}/healthz", process=upstream_process)

        gateway_env = {
            **os.environ,
            "GATEWAY_HOST": HOST,
            "GATEWAY_BILLING_URL": upstream,
            "AOS_JWKS_URL": f"{upstream}/.well-known/jwks.json",
            "GATEWAY_WORKERS": "1",
            # wrk sends thousands of requests a second with one token: the per-token limit is
            # raised out of reach, so the limiter's cost is measured but never refuses.
            "GATEWAY_RATE_LIMIT_API_PER_TOKEN": "1000000000/minute",
        }
        # (name, port, GATEWAY_WORKERS, GATEWAY_TOKEN_CACHE_SIZE or None for the default)
        variants: list[tuple[str, str, int, str | None]] = [
            ("gateway" if n == 1 else f"gateway, {n} workers", f"gateway_{n}", n, None)
            for n in worker_counts
        ]
        if not args.no_cache_variant:
            variants.append(("gateway, no token cache", "gateway_nocache", 1, "0"))
        if args.baseline_src is not None:
            variants.append(("gateway, baseline", "gateway_baseline", 1, None))
        targets = [Target("direct", f"{upstream}/items", None)]
        gateway_envs: dict[str, dict[str, str]] = {}
        for name, port_key, workers, cache_size in variants:
            env_variant = {
                **gateway_env,
                "GATEWAY_PORT": str(ports[port_key]),
                "GATEWAY_WORKERS": str(workers),
            }
            if cache_size is not None:
                env_variant["GATEWAY_TOKEN_CACHE_SIZE"] = cache_size
            if port_key == "gateway_baseline":
                source = str(args.baseline_src.resolve())
                env_variant["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [source, os.environ.get("PYTHONPATH")])
                )
            if workers == 1:
                gateway_envs[name] = env_variant
            process = spawn(
                [sys.executable, "-m", "gateway", "serve"],
                env=env_variant,
                log=tmp / f"{port_key}.log",
                processes=processes,
            )
            wait_ready(f"http://{HOST}:{ports[port_key]}/healthz", process=process)
            targets.append(
                Target(name, f"http://{HOST}:{ports[port_key]}/api/billing/items", process.pid)
            )

        conf = tmp / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                tmp=tmp, upstream=f"{HOST}:{ports['upstream']}", host=HOST, port=ports["nginx"]
            )
        )
        nginx_process = spawn(
            [nginx, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "nginx-error.log")],
            env=dict(os.environ),
            log=tmp / "nginx.log",
            processes=processes,
        )
        nginx_url = f"http://{HOST}:{ports['nginx']}/api/billing/items"
        wait_ready(f"http://{HOST}:{ports['nginx']}/api/billing/healthz", process=nginx_process)
        targets.append(Target("nginx", nginx_url, nginx_process.pid))
        if args.python_floor:
            floor_process = spawn(
                [
                    sys.executable,
                    str(HERE / "bare_python_proxy.py"),
                    str(ports["floor"]),
                    str(ports["upstream"]),
                ],
                env=dict(os.environ),
                log=tmp / "floor.log",
                processes=processes,
            )
            # It passes paths on as they are: the upstream's own.
            floor_url = f"http://{HOST}:{ports['floor']}"
            wait_ready(f"{floor_url}/healthz", process=floor_process)
            targets.append(Target("python floor", f"{floor_url}/items", floor_process.pid))

        print(
            f"wrk -t1 --latency, {args.duration:g} s per cell after a 1 s warm-up; "
            f"{os.cpu_count()} CPUs shared by wrk, the upstream and the proxy"
        )
        cells: list[Cell] = []
        for round_no in range(1, args.rounds + 1):
            for connections in connection_counts:
                for target in targets:
                    cell = measure(
                        target,
                        connections=connections,
                        seconds=args.duration,
                        token=token,
                        round_no=round_no,
                    )
                    cells.append(cell)
                    print(
                        f"  round {round_no} {connections:>3} conns  {target.name:<24} "
                        f"{cell.requests_per_second:8.0f} req/s  p50 {cell.p50_ms:.3f} ms",
                        flush=True,
                    )
        print_table(cells)
        if args.callgrind_requests:
            if shutil.which("valgrind") is None:
                print("valgrind is missing: no instruction counts", file=sys.stderr)
                return 2
            print()
            print(
                "instructions per proxied request (callgrind, "
                f"{args.callgrind_requests} requests on one connection):"
            )
            for name, env_variant in gateway_envs.items():
                count = count_instructions(
                    name,
                    env=env_variant,
                    requests=args.callgrind_requests,
                    token=token,
                    tmp=tmp,
                    keep_in=args.callgrind_dir,
                )
                print(f"  {name:<25}{count / 1000:>8.0f} k", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
