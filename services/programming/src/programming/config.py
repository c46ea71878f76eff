"""Settings of the programming service (env prefix ``PROGRAMMING_``)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.settings import ServiceSettings

__all__ = ["DEFAULT_RELEASE_SIGNING_KEY_FILE", "DEFAULT_SECRET_KEYS_FILE", "Settings"]


def _replica_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


# Relative to the current directory, so `make run` from the repository root keeps the generated
# development key beside the other local state in `.local/`.
DEFAULT_RELEASE_SIGNING_KEY_FILE = Path(".local/programming/release-signing-key.pem")
DEFAULT_SECRET_KEYS_FILE = Path(".local/programming/secret-keys")


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROGRAMMING_", extra="ignore", frozen=True)

    service_name: str = "programming"
    database_url: str = "postgresql+asyncpg://127.0.0.1:5432/aos_programming"
    port: int = Field(default=8104, ge=1, le=65535)

    # Ed25519 private key (PEM, PKCS#8) that signs software releases. In development and test a
    # missing file is generated (mode 0600); in production it must exist.
    release_signing_key_file: Path = DEFAULT_RELEASE_SIGNING_KEY_FILE
    # Key-encryption keys that seal the ECU security secrets at rest: one "<id> <base64 of 32
    # bytes>" per line; generated in development and test, required in production. New values
    # are sealed with ``secret_key_id`` (default: the file's last key); older ids still open.
    secret_keys_file: Path = DEFAULT_SECRET_KEYS_FILE
    secret_key_id: str | None = None
    # Base URL under which agents reach this service (through the gateway); image URLs in
    # StartJob frames are built from it.
    public_base_url: str = "http://127.0.0.1:8080/api/programming"

    # Single-file agent builds (what `make agent-dist` leaves in dist/) published at start:
    # each signed with the release key and stored once per version and platform, then listed
    # in the portal's downloads area and offered to older agents. None: publish nothing.
    agent_builds_dir: Path | None = None
    # How long a replica keeps the list of builds it offers agents in Welcome before reading
    # it again (seconds): a build published elsewhere is offered by every replica this soon.
    agent_builds_cache_seconds: float = Field(default=10.0, ge=0, le=3600)

    # Pairing codes are valid this long, in seconds.
    pairing_code_ttl_seconds: int = Field(default=600, ge=10, le=3600)

    # Flash time estimate: image bytes / rate + fixed overhead (erase, checks, reset).
    # 25 kB/s is what a classical CAN link achieves; DoIP links are much faster.
    transfer_rate_bytes_per_second: int = Field(default=25_000, ge=1)
    job_overhead_seconds: float = Field(default=20.0, ge=0)
    # A job starts only if the PROGRAMMING pass has its estimate plus this margin left.
    time_margin_seconds: float = Field(default=120.0, ge=0)

    # Agent link: heartbeat interval told to agents (5 s: the service takes an agent silent for
    # 15 s as gone, for a dead link the agent's own pings cannot tell it about); how long to
    # wait for a vehicle report and for a key answer round trip; a job result is awaited
    # estimate * factor + grace seconds.
    heartbeat_interval_seconds: int = Field(default=5, ge=1, le=300)
    vehicle_read_timeout_seconds: float = Field(default=30.0, gt=0)
    job_timeout_factor: float = Field(default=3.0, ge=1)
    job_timeout_grace_seconds: float = Field(default=120.0, ge=0)
    # Heartbeats are not written one by one: the agents' last-seen times are kept in memory
    # and written in batches this often (services/presence.py), so an online agent's
    # "last seen" lags by up to this long; connect and disconnect are written at once.
    presence_flush_seconds: float = Field(default=10.0, gt=0, le=300)
    # Security keys answered per job: the first unlock plus a few resumes after a lost link or
    # power. A key unlocks every ECU of the type, so the allowance stays small.
    security_keys_per_job: int = Field(default=5, ge=1, le=100)
    # The time an agent spends waiting for its ECU (it reports WAITING_FOR_ECU every few
    # seconds during a power loss, for its resume window of minutes) moves the job's deadline
    # out; a wait it stops reporting counts for this many seconds after its last report.
    job_silence_seconds: float = Field(default=60.0, gt=0)
    # A session whose closing vehicle read failed (agent away at its end) gets that read, and
    # so the versions after the flash in its report, when its agent is back within this long.
    closing_read_retry_hours: float = Field(default=24.0, ge=0)

    # Agent connections doing their database work (authentication, lease, last seen) at once,
    # and how long one waits for its turn before it is closed with 1013 (try again later): a
    # reconnect storm (a replica's agents moving here) then leaves the rest of the database
    # pool to session runners and requests (services/admission.py). Keep it below the pool
    # size (PROGRAMMING_DATABASE_POOL_SIZE).
    agent_admission_concurrency: int = Field(default=4, ge=1, le=100)
    agent_admission_wait_seconds: float = Field(default=5.0, gt=0, le=120)

    # Several replicas (services/cluster.py): this process's name in the ``replicas`` table (for
    # people; its id is made at start), how often it writes its heartbeat, after how long
    # without one a replica counts as dead (its agents offline, its leases removed), and how
    # often each replica looks for RUNNING sessions nobody runs (a dead replica's) to take over.
    replica_name: str = Field(default_factory=_replica_name, min_length=1, max_length=200)
    replica_heartbeat_seconds: float = Field(default=1.0, gt=0, le=60)
    replica_dead_after_seconds: float = Field(default=5.0, gt=0, le=600)
    session_scan_seconds: float = Field(default=1.0, gt=0)
