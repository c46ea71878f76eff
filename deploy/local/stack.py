"""Provision a real local PostgreSQL and Apache Kafka for ``make run`` and ``make test``.

Why this exists: the services and their tests talk to a real PostgreSQL and a real Kafka, and
the only things reachable from a developer or CI machine are the package registries (Debian,
Maven Central, PyPI). So PostgreSQL comes from Debian packages and runs as a project-local
cluster, and Kafka runs straight from its Maven Central jars (no tarball, no container).

Everything lives under ``.local/`` at the repository root (git-ignored):

* ``.local/postgres/``  cluster data, server log, generated superuser password
* ``.local/kafka/``     jars, server.properties, log4j2 config, data, server log, pid file
* ``.local/stack.env``  KEY=VALUE lines the services read (database URLs, Kafka bootstrap)

Existing servers can be used instead: set ``AOS_POSTGRES_ADMIN_URL`` and/or
``KAFKA_BOOTSTRAP_SERVERS`` and nothing is started for that component.

Run it with the workspace venv, from anywhere::

    .venv/bin/python deploy/local/stack.py up | down | status | env [--only postgres|kafka]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import fcntl
import hashlib
import logging
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# --------------------------------------------------------------------------------------------
# Paths and constants
# --------------------------------------------------------------------------------------------

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
LOCAL_DIR = REPO_ROOT / ".local"
ENV_FILE = LOCAL_DIR / "stack.env"
LOCK_FILE = LOCAL_DIR / "stack.lock"

LOOPBACK = "127.0.0.1"
COMPONENTS = ("postgres", "kafka")

# One database per service; the key is the service's env prefix, so the service reads
# <PREFIX>_DATABASE_URL. Add a line here when a service gets a database.
SERVICE_DATABASES: dict[str, str] = {
    "IDENTITY": "aos_identity",
    "BILLING": "aos_billing",
    "AIR": "aos_air",
    "PROGRAMMING": "aos_programming",
}

PG_DIR = LOCAL_DIR / "postgres"
PG_DATA = PG_DIR / "data"
PG_PASSWORD_FILE = PG_DIR / "superuser.password"
PG_LOG = PG_DIR / "server.log"
PG_CONF_NAME = "aos-local.conf"  # included from postgresql.conf, rewritten before each start
PG_SUPERUSER = "aos"
PG_DEFAULT_PORT = 55432
PG_FALLBACK_SYSTEM_USER = "aos-pg"
PG_RELOAD_TIMEOUT_S = 10.0
FAST_ENV = "AOS_POSTGRES_FAST"  # "1": fast, non-durable settings for the test suite only
DB_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

KAFKA_POM = HERE / "kafka" / "pom.xml"
KAFKA_DIR = LOCAL_DIR / "kafka"
KAFKA_LIBS = KAFKA_DIR / "libs"
KAFKA_LIBS_STAMP = KAFKA_LIBS / ".pom.sha256"
KAFKA_DATA = KAFKA_DIR / "data"
KAFKA_CONFIG = KAFKA_DIR / "server.properties"
KAFKA_LOG4J = KAFKA_DIR / "log4j2.properties"
KAFKA_LOG = KAFKA_DIR / "server.log"
KAFKA_PID_FILE = KAFKA_DIR / "kafka.pid"
KAFKA_DEFAULT_PORT = 59092
KAFKA_DEFAULT_CONTROLLER_PORT = 59093
KAFKA_START_TIMEOUT_S = 90.0
KAFKA_STOP_TIMEOUT_S = 30.0
KAFKA_JVM_OPTS = (
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-Djava.awt.headless=true",
    # Log4j would otherwise stop logging in its own shutdown hook, racing the broker's hook
    # and losing the last lines of a shutdown; the console appender flushes every line anyway.
    "-Dlog4j2.shutdownHookEnabled=false",
)
KAFKA_MIN_JAVA = 17  # Kafka 4 brokers need Java 17+

LOG_TAIL_LINES = 30


class StackError(Exception):
    """A provisioning failure; the message says what is missing and what to do about it."""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def progress(message: str) -> None:
    """Progress goes to stderr so stdout stays machine-readable (env lines, status)."""
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def is_root() -> bool:
    return os.geteuid() == 0


def rel(path: Path) -> str:
    """Repo-relative path for messages, so they read the same on every machine."""
    with suppress(ValueError):
        return str(path.relative_to(REPO_ROOT))
    return str(path)


def run(
    cmd: Sequence[str],
    *,
    as_user: str | None = None,
    cwd: Path | None = None,
    timeout: float = 300.0,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command with captured output; ``as_user`` wraps it in ``runuser`` (we are root).

    Output is captured rather than streamed so that a failure can be reported in one block.
    No command line built here carries a secret (the password goes through --pwfile).
    """
    full = ["runuser", "-u", as_user, "--", *cmd] if as_user else list(cmd)
    result = subprocess.run(
        full,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        raise StackError(f"`{' '.join(cmd)}` failed (exit {result.returncode}):\n{output}")
    return result


def apt_install(packages: Sequence[str], missing: str, alternative: str) -> None:
    """Install Debian packages when we are root; otherwise say exactly what to install."""
    if not is_root():
        raise StackError(
            f"{missing} not found. Install with `sudo apt-get install -y "
            f"{' '.join(packages)}` (Debian/Ubuntu), or {alternative}."
        )
    progress(f"{missing} not found; installing {' '.join(packages)} with apt-get...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", *packages]):
        result = subprocess.run(cmd, stdout=sys.stderr, stderr=sys.stderr, env=env, check=False)
        if result.returncode != 0:
            raise StackError(
                f"`{' '.join(cmd)}` failed; install {' '.join(packages)} by hand or {alternative}."
            )


def env_port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise StackError(f"{name}={raw!r} is not a TCP port number")
    return int(raw)


def port_answers(port: int, host: str = LOOPBACK) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def require_free_port(port: int, env_name: str, what: str) -> None:
    """Fail before starting a server whose port another process already holds."""
    if port_answers(port):
        raise StackError(
            f"port {LOOPBACK}:{port} needed for {what} is already in use by another process. "
            f"Free it, or choose another port with {env_name}=<port>."
        )


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    if not path.exists():
        return f"({rel(path)} does not exist)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def process_alive(pid: int) -> bool:
    """Alive and not a zombie: a detached server we started is not our child, so a dead one
    may linger as a zombie when nothing reaps it (e.g. a container without an init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def process_cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


@contextmanager
def stack_lock() -> Iterator[None]:
    """Serialise `up`/`down`: `make run` and `make test` in two terminals must not both
    decide that nothing runs and start a second server on the same data."""
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with LOCK_FILE.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress("another stack.py up/down is running; waiting for it...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # the lock is released when the file is closed


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_private(path: Path, text: str) -> None:
    """Write a file readable only by its owner (it may hold a password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def mask_secrets(value: str) -> str:
    """Hide the password part of URLs (``scheme://user:***@host``) for display."""
    return re.sub(r"(://[^:/@\s]+:)[^@\s]*@", r"\1***@", value)


def with_scheme(url: str, scheme: str, path: str | None = None) -> str:
    parts = urlsplit(url)
    return urlunsplit((scheme, parts.netloc, parts.path if path is None else path, parts.query, ""))


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgServer:
    """Where the databases live: our local cluster or the server of AOS_POSTGRES_ADMIN_URL."""

    admin_url: str  # postgresql://user:pw@host:port/maintenance-db
    external: bool

    def connect_dsn(self) -> str:
        """asyncpg only accepts postgresql:// or postgres://, not SQLAlchemy's +driver form."""
        scheme = urlsplit(self.admin_url).scheme.split("+", 1)[0]
        return with_scheme(self.admin_url, scheme)

    def database_url(self, database: str) -> str:
        return with_scheme(self.admin_url, "postgresql+asyncpg", path=f"/{database}")


def wanted_databases() -> dict[str, str]:
    """Env key -> database name: SERVICE_DATABASES plus the AOS_DATABASES comma list.

    An extra ``aos_foo`` gets the key ``FOO_DATABASE_URL``.
    """
    wanted = {f"{prefix}_DATABASE_URL": name for prefix, name in SERVICE_DATABASES.items()}
    for raw in os.environ.get("AOS_DATABASES", "").split(","):
        name = raw.strip()
        if name:
            wanted.setdefault(f"{name.removeprefix('aos_').upper()}_DATABASE_URL", name)
    bad = [name for name in wanted.values() if not DB_NAME_RE.match(name)]
    if bad:
        raise StackError(f"invalid database names {bad}: use lower-case letters, digits and _")
    return wanted


def external_admin_url(port: int) -> str | None:
    """AOS_POSTGRES_ADMIN_URL unless it just points back at our own local cluster.

    Makefiles may export .local/stack.env (which holds that URL) before calling ``up`` again;
    treating that as "external" would stop ``up`` from restarting the local cluster.
    """
    url = os.environ.get("AOS_POSTGRES_ADMIN_URL", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    is_ours = (
        parts.hostname in (LOOPBACK, "localhost")
        and parts.port == port
        and parts.username == PG_SUPERUSER
    )
    return None if is_ours else url


def pg_bindir_candidates() -> Iterator[Path]:
    """Where initdb/pg_ctl may live, best first; a data dir's own major version wins."""
    version_file = PG_DATA / "PG_VERSION"
    if version_file.exists():
        yield Path("/usr/lib/postgresql") / version_file.read_text().strip() / "bin"
    if shutil.which("pg_config"):
        result = run(["pg_config", "--bindir"], check=False)
        if result.returncode == 0:
            yield Path(result.stdout.strip())
    versions = Path("/usr/lib/postgresql")
    if versions.is_dir():
        numeric = [p for p in versions.iterdir() if p.name.isdigit()]
        for path in sorted(numeric, key=lambda p: int(p.name), reverse=True):
            yield path / "bin"
    initdb = shutil.which("initdb")
    if initdb:
        yield Path(initdb).parent


def find_pg_bindir() -> Path | None:
    for candidate in pg_bindir_candidates():
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    return None


def pg_bindir() -> Path:
    """The PostgreSQL server binaries, installing the Debian package when we may."""
    bindir = find_pg_bindir()
    if bindir is None:
        apt_install(
            ["postgresql"],
            missing="PostgreSQL server binaries (initdb, pg_ctl)",
            alternative="point AOS_POSTGRES_ADMIN_URL at an existing server "
            "(postgresql://user:password@host:5432/postgres)",
        )
        bindir = find_pg_bindir()
    if bindir is None:
        raise StackError("PostgreSQL was installed but initdb/pg_ctl are still not found")
    return bindir


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def pg_os_user(create: bool) -> str | None:
    """The OS user that runs initdb/pg_ctl: None means ourselves.

    PostgreSQL refuses to run as root, so root hands it to the owner of an existing data dir,
    else the packaged ``postgres`` user, else a system user we create.
    """
    if not is_root():
        return None
    if PG_DATA.exists():
        owner = pwd.getpwuid(PG_DATA.stat().st_uid).pw_name
        if owner != "root":
            return owner
    if user_exists("postgres"):
        return "postgres"
    if create and not user_exists(PG_FALLBACK_SYSTEM_USER):
        progress(f"creating system user {PG_FALLBACK_SYSTEM_USER} to run PostgreSQL")
        run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                PG_FALLBACK_SYSTEM_USER,
            ]
        )
    return PG_FALLBACK_SYSTEM_USER


def chown_tree(root: Path, user: str) -> None:
    entry = pwd.getpwnam(user)
    for path in [root, *root.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def prepare_pg_dir(user: str | None) -> None:
    """Create .local/postgres owned by the server user, and check that user can reach it."""
    PG_DIR.mkdir(parents=True, exist_ok=True)
    PG_DIR.chmod(0o700)
    if user is None:
        return
    if PG_DIR.stat().st_uid != pwd.getpwnam(user).pw_uid:
        chown_tree(PG_DIR, user)
    if run(["test", "-w", str(PG_DIR)], as_user=user, check=False).returncode != 0:
        raise StackError(
            f"user {user!r} cannot reach {PG_DIR} (a parent directory is not traversable, e.g. "
            f"a checkout under /root). Allow it (chmod o+x on the parent directories), or point "
            f"AOS_POSTGRES_ADMIN_URL at an existing server."
        )


def ensure_password(user: str | None) -> str:
    """Generate the superuser password once; later runs must reuse the same one."""
    if PG_PASSWORD_FILE.exists():
        return PG_PASSWORD_FILE.read_text(encoding="utf-8").strip()
    if (PG_DATA / "PG_VERSION").exists():
        raise StackError(
            f"{rel(PG_PASSWORD_FILE)} is missing but the cluster in {rel(PG_DATA)} exists, so "
            f"its superuser password is unknown. Restore the file, or run `stack.py down` and "
            f"delete {rel(PG_DIR)} to create a fresh cluster (its data is lost)."
        )
    password = secrets.token_urlsafe(24)  # URL-safe: goes into database URLs unescaped
    write_private(PG_PASSWORD_FILE, password + "\n")
    if user is not None:
        chown_tree(PG_PASSWORD_FILE, user)
    return password


def pick_locale() -> str:
    """C.UTF-8 when the system has it (Unicode-aware lower()/upper()), else plain C."""
    result = run(["locale", "-a"], check=False) if shutil.which("locale") else None
    available = result.stdout.split() if result and result.returncode == 0 else []
    return "C.UTF-8" if {"C.UTF-8", "C.utf8"} & set(available) else "C"


def pg_tool(bindir: Path, tool: str, *args: str) -> list[str]:
    return [str(bindir / tool), *args]


def init_cluster(bindir: Path, user: str | None, *, fast: bool) -> None:
    progress(f"initialising PostgreSQL cluster in {rel(PG_DATA)} (first run only)...")
    run(
        pg_tool(
            bindir,
            "initdb",
            "-D",
            str(PG_DATA),
            "--auth=scram-sha-256",
            f"--username={PG_SUPERUSER}",
            f"--pwfile={PG_PASSWORD_FILE}",
            "--encoding=UTF8",
            f"--locale={pick_locale()}",
            # Only a test cluster may skip the final flush; see pg_conf_text.
            *(["--no-sync"] if fast else []),
        ),
        as_user=user,
        cwd=PG_DIR,
    )
    with (PG_DATA / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(f"\n# Added by deploy/local/stack.py\ninclude '{PG_CONF_NAME}'\n")


def fast_postgres() -> bool:
    """True when AOS_POSTGRES_FAST asks for the fast, non-durable settings (`make test` sets it)."""
    return os.environ.get(FAST_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def pg_conf_text(port: int, *, fast: bool) -> str:
    """The settings file applied at every start (and reload) of the local cluster.

    Durable by default: `make run` answers 201 and 202 to people, and what it acknowledged must
    survive a crash. Only the test suite may trade that for speed (its databases are recreated).
    All three durability settings can be changed by a reload (PostgreSQL 15: fsync and
    full_page_writes are `sighup`, synchronous_commit is `user`), so a running cluster is
    switched without a restart.
    """
    durable = "off" if fast else "on"
    why = (
        "# Durability off (AOS_POSTGRES_FAST=1, set by `make test`): the test suite's databases\n"
        "# are recreated, and tests run much faster without fsyncs. Never use this for real data.\n"
        if fast
        else "# Durable: what `make run` acknowledged survives a crash of PostgreSQL or the host.\n"
    )
    return (
        "# Written by deploy/local/stack.py before each start; edits are overwritten.\n"
        f"listen_addresses = '{LOOPBACK}'\n"
        f"port = {port}\n"
        "# TCP only: no unix socket, so no socket-path length or ownership problems.\n"
        "unix_socket_directories = ''\n"
        "max_connections = 300\n"
        "shared_buffers = 128MB\n"
        f"{why}"
        f"fsync = {durable}\n"
        f"synchronous_commit = {durable}\n"
        f"full_page_writes = {durable}\n"
    )


def write_pg_conf(port: int, user: str | None, *, fast: bool) -> bool:
    """Write the settings file; True when its content changed (a running cluster must reload)."""
    conf = PG_DATA / PG_CONF_NAME
    text = pg_conf_text(port, fast=fast)
    old = conf.read_text(encoding="utf-8") if conf.exists() else None
    conf.write_text(text, encoding="utf-8")
    if user is not None:
        chown_tree(conf, user)
    return old != text


async def current_setting(dsn: str, name: str) -> str:
    conn = await import_asyncpg().connect(dsn=dsn, timeout=5)
    try:
        return str(await conn.fetchval("SELECT current_setting($1)", name))
    finally:
        await conn.close()


def reload_cluster(bindir: Path, user: str | None, *, dsn: str, fast: bool) -> None:
    """Apply a changed settings file to the running cluster (shared by `make run` and tests).

    Switching to durable also flushes what was written while fsync was off, as the PostgreSQL
    manual asks when fsync is turned back on; otherwise a crash could still lose it.
    """
    mode = "fast, NOT durable" if fast else "durable"
    progress(f"PostgreSQL runs with other durability settings; reloading them ({mode})...")
    run(pg_tool(bindir, "pg_ctl", "reload", "-D", str(PG_DATA)), as_user=user, cwd=PG_DIR)
    wanted = "off" if fast else "on"
    deadline = time.monotonic() + PG_RELOAD_TIMEOUT_S
    while asyncio.run(current_setting(dsn, "fsync")) != wanted:
        if time.monotonic() > deadline:
            raise StackError(
                f"PostgreSQL did not take fsync={wanted} after a reload. Last lines of "
                f"{rel(PG_LOG)}:\n{log_tail(PG_LOG)}\nRestart it: `stack.py down` then `up`."
            )
        time.sleep(0.1)
    if not fast:
        run(pg_tool(bindir, "initdb", "--sync-only", "-D", str(PG_DATA)), as_user=user, cwd=PG_DIR)


def pg_running(bindir: Path, user: str | None) -> bool:
    """`pg_ctl status` exits 0 when a postmaster runs on our data dir (3: not, 4: no dir)."""
    if not PG_DATA.exists():
        return False
    status = run(
        pg_tool(bindir, "pg_ctl", "status", "-D", str(PG_DATA)),
        as_user=user,
        cwd=PG_DIR,
        check=False,
    )
    return status.returncode == 0


def postmaster_info() -> tuple[int, int] | None:
    """(pid, port) of the running cluster from postmaster.pid, which lists the real port."""
    try:
        lines = (PG_DATA / "postmaster.pid").read_text().splitlines()
        return int(lines[0]), int(lines[3])
    except (OSError, IndexError, ValueError):
        return None


def start_cluster(bindir: Path, user: str | None, port: int, *, fast: bool) -> None:
    require_free_port(port, "AOS_POSTGRES_PORT", "PostgreSQL")
    write_pg_conf(port, user, fast=fast)
    progress(f"starting PostgreSQL on {LOOPBACK}:{port} (log: {rel(PG_LOG)})...")
    cmd = pg_tool(
        bindir, "pg_ctl", "start", "-w", "-t", "60", "-D", str(PG_DATA), "-l", str(PG_LOG)
    )
    result = run(cmd, as_user=user, cwd=PG_DIR, check=False, timeout=120)
    if result.returncode != 0:
        raise StackError(
            f"PostgreSQL did not start. Last lines of {rel(PG_LOG)}:\n{log_tail(PG_LOG)}\n"
            f"Fix the cause above (another port via AOS_POSTGRES_PORT?), or point "
            f"AOS_POSTGRES_ADMIN_URL at an existing server."
        )


def local_pg_up() -> PgServer:
    """Create (once) and start (unless running) the project-local cluster."""
    port = env_port("AOS_POSTGRES_PORT", PG_DEFAULT_PORT)
    bindir = pg_bindir()
    user = pg_os_user(create=True)
    prepare_pg_dir(user)
    password = ensure_password(user)
    fast = fast_postgres()
    if not (PG_DATA / "PG_VERSION").exists():
        init_cluster(bindir, user, fast=fast)
    if pg_running(bindir, user):
        info = postmaster_info()
        if info is not None:
            if info[1] != port:
                progress(
                    f"note: the cluster runs on port {info[1]}, not {port}; "
                    f"`stack.py down` then `up` to move it"
                )
            port = info[1]
        progress(f"PostgreSQL already running on {LOOPBACK}:{port}; reusing it")
        # `make run` and `make test` share this cluster but want other durability settings.
        if write_pg_conf(port, user, fast=fast):
            reload_cluster(bindir, user, dsn=local_admin_url(password, port), fast=fast)
    else:
        start_cluster(bindir, user, port, fast=fast)
    return PgServer(admin_url=local_admin_url(password, port), external=False)


def local_admin_url(password: str, port: int) -> str:
    return f"postgresql://{PG_SUPERUSER}:{password}@{LOOPBACK}:{port}/postgres"


def import_asyncpg() -> Any:
    try:
        import asyncpg  # venv-only dependency, imported late for a clear error
    except ImportError as exc:
        raise StackError(
            "asyncpg is not importable: run this script with the workspace venv "
            "(`uv sync --all-packages`, then `.venv/bin/python deploy/local/stack.py ...`)"
        ) from exc
    return asyncpg


async def create_missing_databases(dsn: str, names: Sequence[str]) -> list[str]:
    asyncpg = import_asyncpg()
    conn = await asyncpg.connect(dsn=dsn, timeout=15)
    try:
        rows = await conn.fetch("SELECT datname FROM pg_database")
        existing = {row["datname"] for row in rows}
        created = [name for name in names if name not in existing]
        for name in created:
            # Names are checked against DB_NAME_RE; CREATE DATABASE takes no parameters.
            await conn.execute(f'CREATE DATABASE "{name}"')
        return created
    finally:
        await conn.close()


async def select_one(dsn: str) -> None:
    conn = await import_asyncpg().connect(dsn=dsn, timeout=5)
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


def pg_answers(server: PgServer) -> bool:
    try:
        asyncio.run(select_one(server.connect_dsn()))
    except StackError:
        raise
    except Exception:  # unreachable, refused, bad credentials: all mean "not usable"
        return False
    return True


def ensure_databases(server: PgServer, names: Sequence[str]) -> None:
    try:
        created = asyncio.run(create_missing_databases(server.connect_dsn(), names))
    except StackError:
        raise
    except Exception as exc:
        where = "AOS_POSTGRES_ADMIN_URL" if server.external else "the local cluster"
        raise StackError(
            f"could not create databases on {where} "
            f"({mask_secrets(server.admin_url)}): {type(exc).__name__}: {mask_secrets(str(exc))}"
        ) from exc
    progress(f"databases created: {', '.join(created)}" if created else "databases present")


def postgres_up() -> dict[str, str]:
    """Provision PostgreSQL and return its env-file entries."""
    external = external_admin_url(env_port("AOS_POSTGRES_PORT", PG_DEFAULT_PORT))
    if external:
        progress("using the PostgreSQL server of AOS_POSTGRES_ADMIN_URL (nothing started)")
        server = PgServer(admin_url=external, external=True)
    else:
        server = local_pg_up()
    databases = wanted_databases()
    ensure_databases(server, list(databases.values()))
    entries = {"AOS_POSTGRES_ADMIN_URL": server.admin_url}
    for key, name in databases.items():
        # A URL the caller already set wins: they may point one service somewhere else.
        entries[key] = os.environ.get(key) or server.database_url(name)
    return entries


def postgres_down() -> None:
    if not (PG_DATA / "PG_VERSION").exists():
        progress("PostgreSQL: no local cluster; nothing to stop")
        return
    bindir = find_pg_bindir()
    user = pg_os_user(create=False)
    if bindir is None or not pg_running(bindir, user):
        progress("PostgreSQL: local cluster not running")
        return
    progress("stopping PostgreSQL (pg_ctl stop -m fast)...")
    run(
        pg_tool(bindir, "pg_ctl", "stop", "-m", "fast", "-w", "-t", "60", "-D", str(PG_DATA)),
        as_user=user,
        cwd=PG_DIR,
        timeout=120,
    )
    progress("PostgreSQL stopped")


def postgres_status() -> tuple[bool, str]:
    external = external_admin_url(env_port("AOS_POSTGRES_PORT", PG_DEFAULT_PORT))
    if external:
        parts = urlsplit(external)
        answers = pg_answers(PgServer(admin_url=external, external=True))
        state = "answers" if answers else "NOT answering"
        where = f"{parts.hostname}:{parts.port or 5432}"
        return answers, f"external server {where} (AOS_POSTGRES_ADMIN_URL), {state}"
    bindir = find_pg_bindir()
    if not (PG_DATA / "PG_VERSION").exists() or bindir is None:
        return False, "not provisioned (run `up`)"
    if not pg_running(bindir, pg_os_user(create=False)):
        return False, f"stopped (data in {rel(PG_DATA)})"
    info = postmaster_info()
    where = f"pid {info[0]}, {LOOPBACK}:{info[1]}" if info else "pid unknown"
    return True, f"running ({where}, data {rel(PG_DATA)}, log {rel(PG_LOG)})"


# --------------------------------------------------------------------------------------------
# Kafka
# --------------------------------------------------------------------------------------------


@contextmanager
def quiet_aiokafka() -> Iterator[None]:
    """aiokafka logs every refused connection; while polling a starting broker that is noise."""
    logger = logging.getLogger("aiokafka")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


async def broker_answers(bootstrap: str, timeout_s: float) -> bool:
    """True when the bootstrap servers return cluster metadata listing at least one broker."""
    try:
        from aiokafka.admin import AIOKafkaAdminClient  # venv-only, see import_asyncpg
    except ImportError as exc:
        raise StackError(
            "aiokafka is not importable: run this script with the workspace venv "
            "(`uv sync --all-packages`, then `.venv/bin/python deploy/local/stack.py ...`)"
        ) from exc
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=max(1000, int(timeout_s * 1000))
    )
    try:
        async with asyncio.timeout(timeout_s):
            await admin.start()
        async with asyncio.timeout(timeout_s):
            cluster = await admin.describe_cluster()
        return bool(cluster.get("brokers"))
    except Exception:  # any failure just means "not answering yet"
        return False
    finally:
        with suppress(Exception):
            await admin.close()


def probe_broker(bootstrap: str, timeout_s: float = 5.0) -> bool:
    with quiet_aiokafka():
        return asyncio.run(broker_answers(bootstrap, timeout_s))


def external_bootstrap(port: int) -> str | None:
    """KAFKA_BOOTSTRAP_SERVERS unless it names our own local broker (see external_admin_url)."""
    value = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if value in ("", f"{LOOPBACK}:{port}", f"localhost:{port}"):
        return None
    return value


def java_major_version() -> int | None:
    result = run(["java", "-version"], check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8" means 8


def ensure_java_and_maven() -> None:
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        apt_install(
            ["default-jre-headless", "maven"],
            missing=" and ".join(missing),
            alternative="point KAFKA_BOOTSTRAP_SERVERS at an existing Kafka broker",
        )
    major = java_major_version()
    if major is not None and major < KAFKA_MIN_JAVA:
        raise StackError(
            f"java is version {major}; Kafka 4 needs Java {KAFKA_MIN_JAVA}+. Install a newer "
            f"JRE (e.g. default-jre-headless on Debian 12) or set KAFKA_BOOTSTRAP_SERVERS."
        )


def libs_current() -> bool:
    """Jars match the pom: the stamp holds the hash of the pom they were fetched for."""
    return (
        KAFKA_LIBS_STAMP.exists()
        and KAFKA_LIBS_STAMP.read_text().strip() == file_sha256(KAFKA_POM)
        and any(KAFKA_LIBS.glob("kafka_*.jar"))
    )


def fetch_kafka_libs() -> None:
    """Download the broker's jars once into .local/kafka/libs (a pom change refetches)."""
    if libs_current():
        return
    progress("fetching Kafka jars from Maven Central (first run only)...")
    staging = KAFKA_DIR / "libs.partial"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        "mvn",
        "-q",
        "-B",
        "-f",
        str(KAFKA_POM),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={staging}",
    ]
    result = run(cmd, check=False, timeout=900)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise StackError(
            f"Maven could not fetch the Kafka jars listed in {rel(KAFKA_POM)}:\n{output}\n"
            f"Maven needs Maven Central and a writable ~/.m2; fix the cause above, or point "
            f"KAFKA_BOOTSTRAP_SERVERS at an existing broker."
        )
    shutil.rmtree(KAFKA_LIBS, ignore_errors=True)
    staging.rename(KAFKA_LIBS)
    KAFKA_LIBS_STAMP.write_text(file_sha256(KAFKA_POM) + "\n")
    progress(f"fetched {len(list(KAFKA_LIBS.glob('*.jar')))} jars into {rel(KAFKA_LIBS)}")


def kafka_properties(port: int, controller_port: int) -> str:
    settings = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{LOOPBACK}:{controller_port}",
        "listeners": f"PLAINTEXT://{LOOPBACK}:{port},CONTROLLER://{LOOPBACK}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{LOOPBACK}:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(KAFKA_DATA),
        "num.partitions": "3",
        "auto.create.topics.enable": "true",
        # Single node: every internal topic must make do with one replica.
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "min.insync.replicas": "1",
        # Tests start consumers often; don't make each group join wait 3 s.
        "group.initial.rebalance.delay.ms": "0",
    }
    lines = [f"{key}={value}" for key, value in settings.items()]
    return "# Written by deploy/local/stack.py before each start; edits are overwritten.\n" + (
        "\n".join(lines) + "\n"
    )


LOG4J2_PROPERTIES = """\
# Written by deploy/local/stack.py. Everything goes to stdout, which stack.py redirects
# into .local/kafka/server.log.
status = warn
name = aos-local-kafka
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def java_cmd(main_class: str, *args: str) -> list[str]:
    return [
        "java",
        *KAFKA_JVM_OPTS,
        f"-Dlog4j2.configurationFile={KAFKA_LOG4J}",
        "-cp",
        f"{KAFKA_LIBS}/*",
        main_class,
        *args,
    ]


def new_cluster_id() -> str:
    """A Kafka Uuid string: 16 random bytes, URL-safe base64 without padding.

    Kafka itself never hands out ids starting with '-' (they read as CLI flags); nor do we.
    """
    while True:
        value = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not value.startswith("-"):
            return value


def format_storage() -> None:
    """Format the KRaft log dir once; meta.properties marks a formatted dir."""
    if (KAFKA_DATA / "meta.properties").exists():
        return
    progress(f"formatting Kafka storage in {rel(KAFKA_DATA)} (first run only)...")
    cmd = java_cmd(
        "kafka.tools.StorageTool", "format", "-t", new_cluster_id(), "-c", str(KAFKA_CONFIG)
    )
    run(cmd, cwd=KAFKA_DIR, timeout=120)


def read_pid_file() -> int | None:
    try:
        return int(KAFKA_PID_FILE.read_text().strip())
    except (OSError, ValueError):
        return None


def our_broker_pid() -> int | None:
    """The pid in our pid file, only if that process is alive and runs our config.

    Checking the command line guards against a recycled pid belonging to something else.
    """
    pid = read_pid_file()
    if pid is None or not process_alive(pid):
        return None
    return pid if str(KAFKA_CONFIG) in process_cmdline(pid) else None


def configured_bootstrap() -> str | None:
    """The PLAINTEXT address in the current server.properties (what a running broker uses)."""
    if not KAFKA_CONFIG.exists():
        return None
    for line in KAFKA_CONFIG.read_text().splitlines():
        if line.startswith("advertised.listeners="):
            return line.split("=", 1)[1].removeprefix("PLAINTEXT://")
    return None


def launch_broker() -> int:
    """Start the broker detached (own session: it outlives this script and its terminal)."""
    if KAFKA_LOG.exists():
        KAFKA_LOG.replace(KAFKA_LOG.with_suffix(".log.1"))  # keep one previous run's log
    with KAFKA_LOG.open("ab") as log:
        process = subprocess.Popen(
            java_cmd("kafka.Kafka", str(KAFKA_CONFIG)),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=KAFKA_DIR,
            start_new_session=True,
        )
    KAFKA_PID_FILE.write_text(f"{process.pid}\n")
    return process.pid


def broker_timeout_error(reason: str) -> StackError:
    return StackError(
        f"{reason}. Last {LOG_TAIL_LINES} lines of {rel(KAFKA_LOG)}:\n{log_tail(KAFKA_LOG)}\n"
        f"Fix the cause above and run `stack.py down` then `up`, or point "
        f"KAFKA_BOOTSTRAP_SERVERS at an existing broker."
    )


def wait_for_broker(pid: int, bootstrap: str) -> None:
    """Poll metadata until the broker answers, it dies, or KAFKA_START_TIMEOUT_S passes."""
    progress(f"waiting for Kafka broker metadata on {bootstrap}...")
    started = time.monotonic()
    next_note = started + 15
    while time.monotonic() - started < KAFKA_START_TIMEOUT_S:
        if not process_alive(pid):
            raise broker_timeout_error(f"the Kafka broker (pid {pid}) exited during startup")
        if probe_broker(bootstrap, timeout_s=3.0):
            progress(f"Kafka broker ready after {time.monotonic() - started:.1f}s")
            return
        if time.monotonic() > next_note:
            progress(f"still waiting for Kafka ({time.monotonic() - started:.0f}s)...")
            next_note += 15
        time.sleep(1.0)
    raise broker_timeout_error(
        f"the Kafka broker (pid {pid}) gave no metadata within {KAFKA_START_TIMEOUT_S:.0f}s"
    )


def reuse_broker(pid: int, port: int) -> str:
    """Adopt an already running broker of ours (possibly still starting up)."""
    bootstrap = configured_bootstrap() or f"{LOOPBACK}:{port}"
    if bootstrap != f"{LOOPBACK}:{port}":
        progress(
            f"note: the broker runs on {bootstrap}, not port {port}; "
            f"`stack.py down` then `up` to move it"
        )
    if not libs_current():
        progress(f"note: {rel(KAFKA_POM)} changed; `stack.py down` then `up` to use new jars")
    if probe_broker(bootstrap):
        progress(f"Kafka already running on {bootstrap} (pid {pid}); reusing it")
    else:
        wait_for_broker(pid, bootstrap)
    return bootstrap


def local_kafka_up() -> str:
    port = env_port("AOS_KAFKA_PORT", KAFKA_DEFAULT_PORT)
    controller_port = env_port("AOS_KAFKA_CONTROLLER_PORT", KAFKA_DEFAULT_CONTROLLER_PORT)
    if port == controller_port:
        raise StackError("AOS_KAFKA_PORT and AOS_KAFKA_CONTROLLER_PORT must differ")
    pid = our_broker_pid()
    if pid is not None:
        return reuse_broker(pid, port)
    KAFKA_PID_FILE.unlink(missing_ok=True)  # stale: process gone or pid reused
    ensure_java_and_maven()
    KAFKA_DIR.mkdir(parents=True, exist_ok=True)
    fetch_kafka_libs()
    KAFKA_CONFIG.write_text(kafka_properties(port, controller_port))
    KAFKA_LOG4J.write_text(LOG4J2_PROPERTIES)
    format_storage()
    require_free_port(port, "AOS_KAFKA_PORT", "Kafka")
    require_free_port(controller_port, "AOS_KAFKA_CONTROLLER_PORT", "the Kafka controller")
    progress(f"starting Kafka (KRaft, single node) on {LOOPBACK}:{port} (log: {rel(KAFKA_LOG)})")
    pid = launch_broker()
    bootstrap = f"{LOOPBACK}:{port}"
    wait_for_broker(pid, bootstrap)
    return bootstrap


def kafka_up() -> dict[str, str]:
    """Provision Kafka and return its env-file entry."""
    external = external_bootstrap(env_port("AOS_KAFKA_PORT", KAFKA_DEFAULT_PORT))
    if external:
        progress(f"using KAFKA_BOOTSTRAP_SERVERS={external} (nothing started)")
        if not probe_broker(external, timeout_s=15.0):
            raise StackError(
                f"KAFKA_BOOTSTRAP_SERVERS={external} does not answer Kafka metadata requests. "
                f"Fix the address or unset it to start a local broker."
            )
        return {"KAFKA_BOOTSTRAP_SERVERS": external}
    return {"KAFKA_BOOTSTRAP_SERVERS": local_kafka_up()}


def terminate(pid: int, timeout_s: float) -> bool:
    """SIGTERM, wait up to timeout_s for a clean shutdown, then SIGKILL. True if clean."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.25)
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return False


def kafka_down() -> None:
    pid = our_broker_pid()
    if pid is None:
        KAFKA_PID_FILE.unlink(missing_ok=True)
        progress("Kafka: no local broker of ours running")
        return
    progress(f"stopping Kafka (pid {pid}, SIGTERM, up to {KAFKA_STOP_TIMEOUT_S:.0f}s)...")
    clean = terminate(pid, KAFKA_STOP_TIMEOUT_S)
    KAFKA_PID_FILE.unlink(missing_ok=True)
    progress("Kafka stopped" if clean else "Kafka did not stop in time; sent SIGKILL")


def kafka_status() -> tuple[bool, str]:
    external = external_bootstrap(env_port("AOS_KAFKA_PORT", KAFKA_DEFAULT_PORT))
    if external:
        answers = probe_broker(external)
        state = "answers metadata" if answers else "NOT answering"
        return answers, f"external {external} (KAFKA_BOOTSTRAP_SERVERS), {state}"
    pid = our_broker_pid()
    if pid is None:
        return False, "stopped" if KAFKA_CONFIG.exists() else "not provisioned (run `up`)"
    bootstrap = configured_bootstrap() or "?"
    answers = probe_broker(bootstrap)
    state = "answers metadata" if answers else "NOT answering metadata (starting or stuck?)"
    return answers, f"running (pid {pid}, {bootstrap}, {state}, log {rel(KAFKA_LOG)})"


# --------------------------------------------------------------------------------------------
# Env file and CLI
# --------------------------------------------------------------------------------------------


def read_env_file() -> dict[str, str]:
    entries: dict[str, str] = {}
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                entries[key] = value
    return entries


def write_env_file(updates: Mapping[str, str], merge: bool) -> dict[str, str]:
    """Write the env file; ``merge`` keeps other entries (so `up --only kafka` keeps the
    PostgreSQL ones), while a full `up` starts afresh so no stale key survives."""
    entries = {**read_env_file(), **updates} if merge else dict(updates)
    header = "# Generated by deploy/local/stack.py up; rewritten on every run. Holds secrets.\n"
    write_private(ENV_FILE, header + "".join(f"{k}={v}\n" for k, v in entries.items()))
    return entries


def selected(only: str | None) -> tuple[str, ...]:
    return COMPONENTS if only is None else (only,)


def cmd_up(only: str | None) -> int:
    updates: dict[str, str] = {}
    if "postgres" in selected(only):
        updates |= postgres_up()
    if "kafka" in selected(only):
        updates |= kafka_up()
    entries = write_env_file(updates, merge=only is not None)
    progress(f"wrote {rel(ENV_FILE)} (passwords masked below; `stack.py env` shows them)")
    for key, value in entries.items():
        print(f"{key}={mask_secrets(value)}")
    return 0


def cmd_down(only: str | None) -> int:
    # Stop Kafka first: services may still be flushing to it, and it needs no database.
    if "kafka" in selected(only):
        kafka_down()
    if "postgres" in selected(only):
        postgres_down()
    return 0


def cmd_status(only: str | None) -> int:
    all_up = True
    checks = {"postgres": postgres_status, "kafka": kafka_status}
    for name in selected(only):
        running, text = checks[name]()
        all_up = all_up and running
        print(f"{name}: {text}")
    return 0 if all_up else 3


def cmd_env() -> int:
    if not ENV_FILE.exists():
        raise StackError(f"{rel(ENV_FILE)} does not exist yet: run `stack.py up` first")
    sys.stdout.write(ENV_FILE.read_text(encoding="utf-8"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stack.py",
        description="Provision the local PostgreSQL and Kafka that `make run` and `make test` "
        "use. State lives in .local/ at the repository root.",
        epilog="Use existing servers instead: AOS_POSTGRES_ADMIN_URL=postgresql://user:pw@host:"
        "5432/postgres and/or KAFKA_BOOTSTRAP_SERVERS=host:9092. Ports of the local servers: "
        f"AOS_POSTGRES_PORT ({PG_DEFAULT_PORT}), AOS_KAFKA_PORT ({KAFKA_DEFAULT_PORT}), "
        f"AOS_KAFKA_CONTROLLER_PORT ({KAFKA_DEFAULT_CONTROLLER_PORT}). Extra databases: "
        "AOS_DATABASES=aos_x,aos_y.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    helps = {
        "up": "start (or reuse) the servers, create databases, write .local/stack.env",
        "down": "stop the servers this project started (data is kept)",
        "status": "show what runs (exit 3 if something is not running)",
    }
    for name, text in helps.items():
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--only", choices=COMPONENTS, help="act on one component only")
    commands.add_parser("env", help="print .local/stack.env (after `up`)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "env":
            return cmd_env()
        if args.command == "status":
            return cmd_status(args.only)
        with stack_lock():
            return cmd_up(args.only) if args.command == "up" else cmd_down(args.only)
    except StackError as exc:
        print(f"stack.py {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
