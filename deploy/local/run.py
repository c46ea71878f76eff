"""Start the whole AOS system locally as separate processes: `make run`.

Expects the local PostgreSQL and Kafka to be up (`deploy/local/stack.py up`, which `make run`
calls first). Applies migrations, seeds demo data, starts the SMTP sink, every service and the
gateway, waits until each answers, prints the URL and what to try. Ctrl-C stops every process it
started, by PID. The end-to-end tests start the system through this same script.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import demo_agent

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
PYTHON = sys.executable
READY_TIMEOUT_S = 90.0
# A VIN of a model series the demo AIR content pack covers (type code 5F31: G20 330i, 2021).
DEMO_VIN = "WBA5F3103MFX12345"
DEMO_DOCUMENT = "ri-g20-rear-brake-pads-epb"


@dataclass(frozen=True)
class Ports:
    gateway: int
    gateway_metrics: int
    identity: int
    billing: int
    air: int
    programming: int
    smtp: int
    doip: int

    @classmethod
    def from_base(cls, base: int) -> Ports:
        """Gateway on ``base``; the rest at fixed offsets (8080 → the gateway's metrics 8090,
        services 8101-8104, further programming replicas 8111-8119, SMTP 8125, the simulated
        vehicle's DoIP entity 13400, the standard DoIP port). tests/e2e/conftest.py lists the
        same offsets (OFFSETS)."""
        return cls(
            gateway=base,
            gateway_metrics=base + 10,
            identity=base + 21,
            billing=base + 22,
            air=base + 23,
            programming=base + 24,
            smtp=base + 45,
            doip=base + 5320,
        )

    def programming_replica(self, index: int) -> int:
        """The port of programming replica ``index`` (0: the usual one, then base + 31 ...)."""
        return self.programming if index == 0 else self.gateway + 30 + index


@dataclass
class Process:
    name: str
    argv: list[str]
    health_url: str | None
    log_path: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    # Set on top of the shared environment (a programming replica's port and name).
    env: dict[str, str] = field(default_factory=dict)
    # One of several replicas: its stop is logged, and the others carry on.
    replica: bool = False


def progress(message: str) -> None:
    print(f"[aos] {message}", file=sys.stderr, flush=True)


def read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise SystemExit(
            f"{path.relative_to(ROOT)} is missing: run `make run` (it starts PostgreSQL and "
            "Kafka first) or `.venv/bin/python deploy/local/stack.py up`"
        )
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            values[key.strip()] = value.strip()
    return values


def service_environment(args: argparse.Namespace, ports: Ports) -> dict[str, str]:
    """The environment every process gets: stack addresses plus how services find each other."""
    env = dict(os.environ)
    for key, value in read_env_file(LOCAL / "stack.env").items():
        env.setdefault(key, value)
    identity = f"http://127.0.0.1:{ports.identity}"
    gateway = f"http://127.0.0.1:{ports.gateway}"
    env.update(
        {
            "AOS_ENVIRONMENT": args.environment,
            "AOS_TOPIC_NAMESPACE": args.topic_namespace,
            "AOS_JWKS_URL": f"{identity}/.well-known/jwks.json",
            "IDENTITY_PORT": str(ports.identity),
            "IDENTITY_SMTP_HOST": "127.0.0.1",
            "IDENTITY_SMTP_PORT": str(ports.smtp),
            "IDENTITY_PORTAL_URL": gateway,
            "IDENTITY_JWT_PRIVATE_KEY_FILE": str(LOCAL / "identity" / "jwt-signing-key.pem"),
            "IDENTITY_SECRET_KEYS_FILE": str(LOCAL / "identity" / "secret-keys"),
            "BILLING_PORT": str(ports.billing),
            "BILLING_PAYMENT_WEBHOOK_URL": f"http://127.0.0.1:{ports.billing}/payments/webhook",
            # Invoices go to the same development mail sink as identity's mail.
            "BILLING_SMTP_HOST": "127.0.0.1",
            "BILLING_SMTP_PORT": str(ports.smtp),
            "AIR_PORT": str(ports.air),
            "PROGRAMMING_PORT": str(ports.programming),
            "PROGRAMMING_PUBLIC_BASE_URL": f"{gateway}/api/programming",
            "PROGRAMMING_RELEASE_SIGNING_KEY_FILE": str(
                LOCAL / "programming" / "release-signing-key.pem"
            ),
            "PROGRAMMING_SECRET_KEYS_FILE": str(LOCAL / "programming" / "secret-keys"),
            "GATEWAY_PORT": str(ports.gateway),
            "GATEWAY_METRICS_PORT": str(ports.gateway_metrics),
            "GATEWAY_IDENTITY_URL": identity,
            "GATEWAY_BILLING_URL": f"http://127.0.0.1:{ports.billing}",
            "GATEWAY_AIR_URL": f"http://127.0.0.1:{ports.air}",
            # Several replicas: the gateway balances over the list and skips a dead one.
            "GATEWAY_PROGRAMMING_URL": ",".join(
                f"http://127.0.0.1:{ports.programming_replica(index)}"
                for index in range(args.programming_replicas)
            ),
            "PYTHONUNBUFFERED": "1",
        }
    )
    # The payment provider and billing share this secret; a fresh one per start is enough for
    # the test provider, and nothing secret is ever written to the repository.
    env.setdefault("BILLING_PAYMENT_WEBHOOK_SECRET", secrets.token_urlsafe(32))
    # The agent builds of `make agent-dist`, when made: published, offered and downloadable.
    if (ROOT / "dist").is_dir():
        env.setdefault("PROGRAMMING_AGENT_BUILDS_DIR", str(ROOT / "dist"))
    return env


def run_step(name: str, argv: list[str], env: dict[str, str], *, show: bool = False) -> str:
    """Run a one-off command (migrate, seed); exit with its output when it fails."""
    progress(name)
    result = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{name} failed (exit {result.returncode}); see the output above")
    if show:
        sys.stdout.write(result.stdout)
    return result.stdout


def planned_processes(args: argparse.Namespace, ports: Ports, logs: Path) -> list[Process]:
    maildir = Path(args.maildir).resolve()

    def http(port: int) -> str:
        return f"http://127.0.0.1:{port}/healthz"

    return [
        Process(
            "mailsink",
            [
                PYTHON,
                "-m",
                "identity.mailsink",
                "--host",
                "127.0.0.1",
                "--port",
                str(ports.smtp),
                "--maildir",
                str(maildir),
            ],
            None,
            logs / "mailsink.log",
        ),
        Process(
            "identity",
            [PYTHON, "-m", "identity", "serve"],
            http(ports.identity),
            logs / "identity.log",
        ),
        Process(
            "billing", [PYTHON, "-m", "billing", "serve"], http(ports.billing), logs / "billing.log"
        ),
        Process("air", [PYTHON, "-m", "air", "serve"], http(ports.air), logs / "air.log"),
        *programming_replicas(args, ports, logs),
        Process(
            "gateway", [PYTHON, "-m", "gateway", "serve"], http(ports.gateway), logs / "gateway.log"
        ),
        Process(
            "vehicle-sim",
            [
                PYTHON,
                "-m",
                "vehicle_sim",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(ports.doip),
                "--state-dir",
                str(Path(args.vehicle_state).resolve()),
            ],
            None,
            logs / "vehicle-sim.log",
        ),
    ]


def programming_replicas(args: argparse.Namespace, ports: Ports, logs: Path) -> list[Process]:
    """One programming process per replica, each on its own port; the first keeps the name
    and port of a single-replica start."""
    count = args.programming_replicas
    processes = []
    for index in range(count):
        name = "programming" if index == 0 else f"programming-{index + 1}"
        port = ports.programming_replica(index)
        processes.append(
            Process(
                name,
                [PYTHON, "-m", "programming", "serve"],
                f"http://127.0.0.1:{port}/healthz",
                logs / f"{name}.log",
                env={"PROGRAMMING_PORT": str(port), "PROGRAMMING_REPLICA_NAME": name},
                replica=count > 1,
            )
        )
    return processes


def agent_dir(args: argparse.Namespace) -> Path:
    return Path(args.vehicle_state).resolve().parent / "vci-agent"


def agent_process(args: argparse.Namespace, ports: Ports, logs: Path) -> Process:
    """The VCI agent, connected to the gateway and to the simulated vehicle."""
    return Process(
        "vci-agent",
        [
            PYTHON,
            "-m",
            "vci_agent",
            "--config-dir",
            str(agent_dir(args) / "config"),
            "--state-dir",
            str(agent_dir(args) / "state"),
            # As demo_agent.py pairs it: the demo credential stays in .local, out of the keystore.
            "--credential-store",
            "file",
            "connect",
            "--host",
            "127.0.0.1",
            "--port",
            str(ports.doip),
        ],
        None,
        logs / "vci-agent.log",
    )


def start(process: Process, env: dict[str, str]) -> None:
    process.log_path.parent.mkdir(parents=True, exist_ok=True)
    log = process.log_path.open("ab")
    process.popen = subprocess.Popen(
        process.argv,
        env={**env, **process.env},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback URL)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(process: Process) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.popen is not None
        if process.popen.poll() is not None:
            raise SystemExit(f"{process.name} exited during start:\n{tail(process.log_path)}")
        if process.health_url is None or answers(process.health_url):
            return
        time.sleep(0.2)
    raise SystemExit(
        f"{process.name} did not answer within {READY_TIMEOUT_S:.0f} s:\n{tail(process.log_path)}"
    )


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_all(processes: list[Process]) -> None:
    """SIGTERM every started process by PID, then SIGKILL those still alive after 10 s."""
    started = [p for p in processes if p.popen is not None and p.popen.poll() is None]
    for process in reversed(started):
        assert process.popen is not None
        process.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in started:
        assert process.popen is not None
        try:
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait()


def demo_value(seed_output: str, label: str, placeholder: str) -> str:
    """A value the identity seed printed (``label: value``), else a placeholder to fill in."""
    found = re.search(rf"{label}:\s+(\S+)", seed_output)
    return found.group(1) if found else placeholder


def try_this(ports: Ports, demo: str) -> str:
    api = f"http://127.0.0.1:{ports.gateway}/api"
    password = demo_value(demo, "password", "<password>")
    secret = demo_value(demo, "TOTP secret", "<TOTP secret>")
    portal = f"http://127.0.0.1:{ports.gateway}/"
    built = (ROOT / "web" / "dist" / "index.html").exists()
    portal_note = (
        ""
        if built
        else "\n  (the portal is not built: run `make web-build`, or start with `make run`)"
    )
    return f"""
AOS is running. Open the web portal: {portal}{portal_note}
  Log in as demo@aos.example with the password {password}; the authenticator code comes from an
  app set up with the TOTP secret {secret}, or from this command:
    .venv/bin/python -c "import pyotp; print(pyotp.TOTP('{secret}').now())"
  The demo workshop's technician and accountant log in the same way (logins below), to try
  what each role may do.
  Then: Passes → buy a pass; Repair information → search {DEMO_VIN} → open the vehicle page
  (its service book says the brake fluid is overdue; add an entry); Programming → read the
  vehicle of the demo agent, plan a session, start it and read the report.
  Or register a new workshop: the verification mail lands in .local/mail/ (open the link in it).
OpenAPI: {api}/openapi.json
Metrics: the gateway's on http://127.0.0.1:{ports.gateway_metrics}/metrics (not on its public port),
  each service's on its own port (/metrics): identity {ports.identity}, billing {ports.billing}, \
air {ports.air}, programming {ports.programming}
{demo.strip()}

The same through the API, in another terminal, from the repository folder:
  # 1. log in with password and TOTP code (a code is accepted once: wait 30 s to log in again)
  CODE=$(.venv/bin/python -c "import pyotp; print(pyotp.TOTP('{secret}').now())")
  TOKEN=$(curl -s {api}/identity/auth/login -H 'content-type: application/json' \\
    -d '{{"email":"demo@aos.example","password":"{password}","totp_code":"'$CODE'"}}' \\
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  # 2. who am I
  curl -s {api}/identity/me -H "authorization: Bearer $TOKEN"
  # 3. passes for sale (public)
  curl -s {api}/billing/catalog/products
  # 4. AIR search without a pass: 403 problem telling which pass to buy
  curl -s "{api}/air/documents/search?vin={DEMO_VIN}" -H "authorization: Bearer $TOKEN"
  # 5. buy an AIR day pass and pay (the test payment provider confirms within a second)
  KEY=$(.venv/bin/python -c 'import uuid; print(uuid.uuid4())')
  ORDER=$(curl -s {api}/billing/orders -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -H "Idempotency-Key: $KEY" \\
    -d '{{"product_code":"AIR_1D"}}' \\
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -s -X POST {api}/billing/orders/$ORDER/payment -H "authorization: Bearer $TOKEN" \\
    -H "Idempotency-Key: pay-$ORDER"
  curl -s {api}/billing/entitlements -H "authorization: Bearer $TOKEN"
  # 6. search again by VIN or keyword, then read a document
  curl -s "{api}/air/documents/search?vin={DEMO_VIN}" -H "authorization: Bearer $TOKEN"
  curl -s "{api}/air/documents/search?q=brake+pads" -H "authorization: Bearer $TOKEN"
  curl -s {api}/air/documents/{DEMO_DOCUMENT} -H "authorization: Bearer $TOKEN"
  # the car's service history (a previous workshop's entries) and what is due (brake fluid)
  curl -s {api}/air/vehicles/{DEMO_VIN}/service-entries -H "authorization: Bearer $TOKEN"
  curl -s "{api}/air/vehicles/{DEMO_VIN}/schedule?mileage_km=49500" \\
    -H "authorization: Bearer $TOKEN"

  # 7. remote programming: buy a PROGRAMMING hour, pick the demo agent, plan a session
  KEY=$(.venv/bin/python -c 'import uuid; print(uuid.uuid4())')
  ORDER=$(curl -s {api}/billing/orders -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -H "Idempotency-Key: $KEY" \\
    -d '{{"product_code":"PROGRAMMING_1H"}}' \\
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -s -X POST {api}/billing/orders/$ORDER/payment -H "authorization: Bearer $TOKEN" \\
    -H "Idempotency-Key: pay-$ORDER"
  AGENT=$(curl -s {api}/programming/agents -H "authorization: Bearer $TOKEN" \\
    | .venv/bin/python -c 'import json,sys
print([a["id"] for a in json.load(sys.stdin)["items"] if a["online"]][0])')
  SESSION=$(curl -s {api}/programming/sessions -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' -d '{{"agent_id":"'$AGENT'","vin":"{DEMO_VIN}"}}' \\
    | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  curl -s {api}/programming/sessions/$SESSION -H "authorization: Bearer $TOKEN"   # the plan
  # 8. flash the outdated DME, follow it live, read the report
  # (at the car first: charger connected, ignition on, no other tester; the start confirms it)
  curl -s -X POST {api}/programming/sessions/$SESSION/start -H "authorization: Bearer $TOKEN" \\
    -H 'content-type: application/json' \\
    -d '{{"preflight":{{"charger_connected":true,"ignition_on":true,"no_other_tester":true}}}}'
  curl -s -N --max-time 20 {api}/programming/sessions/$SESSION/events \\
    -H "authorization: Bearer $TOKEN"
  curl -s {api}/programming/sessions/$SESSION/report -H "authorization: Bearer $TOKEN"

The simulated car keeps its software in .local/vehicle-sim/: delete that folder (with the
system stopped) to get the old DME software back. A VCI agent for the car runs already; its log is
.local/logs/vci-agent.log.
Mail sent by the system (verification links) lands in .local/mail/. Logs: .local/logs/.
Press Ctrl-C to stop everything started here.
"""


def start_demo_agent(
    args: argparse.Namespace,
    ports: Ports,
    env: dict[str, str],
    demo: str,
    processes: list[Process],
) -> str:
    """Pair the agent with the demo workshop, start it, wait until it is online."""
    gateway = f"http://127.0.0.1:{ports.gateway}"
    api = gateway + "/api"
    progress("pairing the demo VCI agent with the demo workshop")
    try:
        token = demo_agent.log_in(
            api,
            email=demo_value(demo, "e-mail", "demo@aos.example"),
            password=demo_value(demo, "password", ""),
            totp_secret=demo_value(demo, "TOTP secret", ""),
        )
        agent_id = demo_agent.pair_demo_agent(
            api, gateway=gateway, config_dir=agent_dir(args) / "config", token=token, env=env
        )
        process = agent_process(args, ports, Path(args.logs).resolve())
        processes.append(process)
        start(process, env)
        demo_agent.wait_online(api, agent_id, token=token)
    except demo_agent.DemoAgentError as exc:
        raise SystemExit(f"{exc}\nLogs: {Path(args.logs)}") from None
    return agent_id


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--port-base",
        type=int,
        default=8080,
        help="gateway port; services use fixed offsets from it (default 8080)",
    )
    parser.add_argument(
        "--maildir",
        default=str(LOCAL / "mail"),
        help="where the SMTP sink writes received mail as .eml files",
    )
    parser.add_argument("--logs", default=str(LOCAL / "logs"), help="folder for process logs")
    parser.add_argument("--no-seed", action="store_true", help="skip the demo data")
    parser.add_argument("--topic-namespace", default="", help="prefix for Kafka topics/groups")
    parser.add_argument(
        "--environment",
        default="development",
        choices=["development", "test"],
        help="AOS_ENVIRONMENT of every process",
    )
    parser.add_argument(
        "--vehicle-state",
        default=str(LOCAL / "vehicle-sim"),
        help="state folder of the simulated vehicle (delete it to reset the car)",
    )
    parser.add_argument(
        "--no-agent", action="store_true", help="do not pair and start the demo VCI agent"
    )
    parser.add_argument("--ready-file", help="write the URLs as JSON here once all answer")
    parser.add_argument(
        "--programming-replicas",
        type=int,
        default=1,
        choices=range(1, 10),
        metavar="N",
        help="programming processes (1-9); replica i > 1 listens on port base + 30 + i - 1",
    )
    return parser.parse_args(argv)


def on_signal(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Installed explicitly: a shell starting us in the background may have set SIGINT to ignore.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ports = Ports.from_base(args.port_base)
    env = service_environment(args, ports)
    for service in ("identity", "billing", "air", "programming"):
        run_step(f"migrating {service}", [PYTHON, "-m", service, "migrate"], env)
    demo = ""
    if not args.no_seed:
        demo = run_step(
            "seeding the demo workshop", [PYTHON, "-m", "identity", "seed", "--reset-password"], env
        )
        run_step("seeding the pass catalog", [PYTHON, "-m", "billing", "seed"], env)
        run_step("loading the AIR content pack", [PYTHON, "-m", "air", "seed"], env)
        run_step(
            "seeding the demo car's service history",
            [PYTHON, "-m", "air", "seed-demo", "--vin", DEMO_VIN],
            env,
            show=True,
        )
        run_step("seeding the software catalog", [PYTHON, "-m", "programming", "seed"], env)
    processes = planned_processes(args, ports, Path(args.logs).resolve())
    try:
        for process in processes:
            progress(
                f"starting {process.name} (log {process.log_path.relative_to(ROOT)})"
                if process.log_path.is_relative_to(ROOT)
                else f"starting {process.name}"
            )
            start(process, env)
        for process in processes:
            wait_ready(process)
        if not args.no_agent and not args.no_seed:
            agent_id = start_demo_agent(args, ports, env, demo, processes)
            progress(f"the demo VCI agent {agent_id} is online")
        if args.ready_file:
            Path(args.ready_file).write_text(
                json.dumps(
                    {
                        "gateway": f"http://127.0.0.1:{ports.gateway}",
                        "maildir": str(Path(args.maildir).resolve()),
                        "pids": {p.name: p.popen.pid for p in processes if p.popen is not None},
                        "doip_port": ports.doip,
                    }
                )
            )
        print(try_this(ports, demo), flush=True)
        stopped: set[str] = set()
        while True:
            for process in processes:
                assert process.popen is not None
                if process.popen.poll() is None or process.name in stopped:
                    continue
                if process.replica and any(
                    p.replica and p.popen is not None and p.popen.poll() is None for p in processes
                ):
                    # Another replica takes over its agents and sessions.
                    progress(f"{process.name} stopped; the other replicas carry on")
                    stopped.add(process.name)
                    continue
                raise SystemExit(f"{process.name} stopped unexpectedly:\n{tail(process.log_path)}")
            time.sleep(1)
    except KeyboardInterrupt:
        progress("stopping")
        return 0
    finally:
        stop_all(processes)


if __name__ == "__main__":
    sys.exit(main())
