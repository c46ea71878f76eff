"""deploy/docker: the images' Dockerfiles keep the rules (multi-stage, uv from the lock without
development dependencies, a numeric non-root user, no HEALTHCHECK: Kubernetes probes), and, where
an image builder runs, the AIR image is built and run the way Kubernetes runs it: as its user,
in production, `migrate` against a real empty database, then `serve` until /readyz answers,
without writing anywhere but /tmp.

The build needs a Python 3.11 base image: `AOS_IMAGE_PYTHON` (default the official slim one,
pulled from Docker Hub). The build test is skipped, saying why, when no builder runs or the base
image cannot be had; the static checks always run.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import time
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from servicekit.testing import DatabaseFactory, asyncpg_dsn

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "deploy" / "docker"
DOCKERFILES = (DOCKER / "service.Dockerfile", DOCKER / "gateway.Dockerfile")
DEFAULT_PYTHON_IMAGE = "docker.io/library/python:3.11-slim-bookworm"
IMAGE_USER = "10001:10001"


@dataclass(frozen=True)
class Stage:
    base: str
    instructions: list[tuple[str, str]]


def stages(dockerfile: Path) -> list[Stage]:
    """The Dockerfile's stages, each as (INSTRUCTION, arguments) with continuations joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    found: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            found.append(Stage(base=rest.split()[0], instructions=[]))
        elif found:
            found[-1].instructions.append((keyword.upper(), rest.strip()))
    return found


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_dockerfile_builds_in_stages_and_runs_as_a_numeric_user(dockerfile: Path) -> None:
    built = stages(dockerfile)
    assert len(built) >= 2, "a build stage and a runtime stage"
    runtime = built[-1]
    users = [args for keyword, args in runtime.instructions if keyword == "USER"]
    assert users, "the runtime stage sets no USER: it would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "runAsNonRoot needs a numeric, non-zero user"
    everything = [item for stage in built for item in stage.instructions]
    assert not [args for keyword, args in everything if keyword == "HEALTHCHECK"]
    assert [args for keyword, args in runtime.instructions if keyword == "ENTRYPOINT"]
    # Nothing is installed in the runtime stage: it copies the finished /app from the build.
    copies = [args for keyword, args in runtime.instructions if keyword == "COPY"]
    assert any(args.startswith("--from=build") for args in copies)
    assert not any(keyword == "RUN" and "uv" in args for keyword, args in runtime.instructions)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_the_dockerfile_installs_from_the_lock_without_development_packages(
    dockerfile: Path,
) -> None:
    build = next(s for s in stages(dockerfile) if any("uv sync" in a for _, a in s.instructions))
    env = " ".join(args for keyword, args in build.instructions if keyword == "ENV")
    assert "UV_FROZEN=1" in env, "the lock file must be used as it is"
    assert "UV_NO_DEV=1" in env, "development dependencies must stay out"
    syncs = [args for keyword, args in build.instructions if "uv sync" in args]
    assert syncs and all("--dev" not in s and "--all-groups" not in s for s in syncs)
    assert all("--package" in s for s in syncs), "one service's packages, not the workspace's"
    # uv reads the whole workspace to use the lock: every member's pyproject.toml is copied.
    members = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["uv"]["workspace"][
        "members"
    ]
    copied = {args.split()[0] for keyword, args in build.instructions if keyword == "COPY"}
    missing = {f"{m}/pyproject.toml" for m in members} - copied
    assert not missing, f"{dockerfile.name} does not copy {sorted(missing)}"


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", ".local", ".tools", "web/node_modules", "**/tests"} <= ignored


# --- building and running one image --------------------------------------------------------------


class Builder:
    """buildah (chroot isolation: works where a container runtime cannot, e.g. inside another
    container), or podman / docker."""

    def __init__(self, tool: str) -> None:
        self.tool = tool
        self.containers: list[str] = []

    @property
    def is_buildah(self) -> bool:
        return Path(self.tool).name == "buildah"

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.tool, *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    def build(self, tag: str, *, service: str, python_image: str) -> None:
        isolation = ["--isolation", "chroot"] if self.is_buildah else []
        result = self.run(
            *(["bud", "--layers"] if self.is_buildah else ["build"]),
            *isolation,
            "-f",
            str(DOCKER / "service.Dockerfile"),
            "--build-arg",
            f"SERVICE={service}",
            "--build-arg",
            f"PYTHON_IMAGE={python_image}",
            "-t",
            tag,
            str(ROOT),
            timeout=1200,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    def command(self, image: str, env: dict[str, str], *args: str) -> list[str]:
        """A command line running ``args`` in a new container of ``image``, on the host's
        network, as the image's user, with a read-only root where the tool can enforce it."""
        flags = [arg for name, value in env.items() for arg in ("--env", f"{name}={value}")]
        if self.is_buildah:
            container = self.run("from", image).stdout.strip()
            self.containers.append(container)
            return [
                self.tool,
                "run",
                "--isolation",
                "chroot",
                "--user",
                IMAGE_USER,
                *flags,
                container,
                "--",
                *args,
            ]
        name = f"aos-image-test-{uuid.uuid4().hex[:8]}"
        self.containers.append(name)
        return [
            self.tool,
            "run",
            "--name",
            name,
            "--network",
            "host",
            "--read-only",
            "--tmpfs",
            "/tmp",
            *flags,
            "--entrypoint",
            args[0],
            image,
            *args[1:],
        ]

    def written_outside_tmp(self, since: float) -> list[str]:
        """Files changed after ``since`` in the containers' root filesystems, /tmp and the
        runtime's own /run aside. (podman and docker ran them read-only: nothing to look at.)"""
        if not self.is_buildah:
            return []
        written = []
        for container in self.containers:
            mount = Path(self.run("mount", container).stdout.strip())
            try:
                for folder, dirs, files in os.walk(mount):
                    relative = Path(folder).relative_to(mount)
                    if relative.parts[:1] in (("tmp",), ("run",), ("proc",), ("dev",), ("sys",)):
                        dirs.clear()
                        continue
                    for name in files:
                        path = Path(folder) / name
                        if path.lstat().st_mtime > since:
                            written.append(str(path.relative_to(mount)))
            finally:
                self.run("umount", container)
        return written

    def remove_containers(self) -> None:
        for container in self.containers:
            self.run("rm", "-f", container) if not self.is_buildah else self.run("rm", container)
        self.containers.clear()


def find_builder() -> Builder | None:
    for tool in ("buildah", "podman", "docker"):
        path = shutil.which(tool)
        if path is None:
            continue
        if subprocess.run([path, "info"], capture_output=True, check=False, timeout=60).returncode:
            continue  # e.g. docker without a daemon
        return Builder(path)
    return None


@pytest.fixture(scope="module")
def builder() -> Iterator[Builder]:
    found = find_builder()
    if found is None:
        pytest.skip("no image builder runs here (buildah, podman, or docker with a daemon)")
    python_image = os.environ.get("AOS_IMAGE_PYTHON", DEFAULT_PYTHON_IMAGE)
    present = found.run("image", "exists", python_image) if found.tool != "docker" else None
    if present is None or present.returncode != 0:
        pulled = found.run("pull", python_image, timeout=300)
        if pulled.returncode != 0:
            pytest.skip(
                f"the base image {python_image} cannot be pulled ({pulled.stderr.strip()[-300:]});"
                " set AOS_IMAGE_PYTHON to a Python 3.11 image this builder has"
            )
    yield found
    found.remove_containers()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.timeout(1500)
async def test_the_air_image_migrates_and_serves_read_only_as_its_user(
    builder: Builder,
    database_factory: DatabaseFactory,
    kafka_bootstrap_servers: str,
    topic_namespace: str,
) -> None:
    tag = "localhost/aos-air:image-test"
    python_image = os.environ.get("AOS_IMAGE_PYTHON", DEFAULT_PYTHON_IMAGE)
    await asyncio.to_thread(builder.build, tag, service="air", python_image=python_image)
    user = builder.run("inspect", "--format", "{{.Config.User}}", tag)
    if builder.is_buildah:
        user = builder.run("inspect", "--format", "{{.OCIv1.Config.User}}", tag)
    assert user.stdout.strip() == IMAGE_USER

    database_url = await database_factory.create_empty("image")
    port = free_port()
    env = {
        "AOS_ENVIRONMENT": "production",
        "AIR_DATABASE_URL": database_url,
        "AIR_HOST": "127.0.0.1",
        "AIR_PORT": str(port),
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "AOS_TOPIC_NAMESPACE": topic_namespace,
    }
    started = time.time()

    migrate = await asyncio.create_subprocess_exec(
        *builder.command(tag, env, "/app/service", "migrate"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    async with asyncio.timeout(300):
        migrated = (await migrate.communicate())[0].decode()
    assert migrate.returncode == 0, migrated
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        tables = await connection.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        version = await connection.fetchval("SELECT version_num FROM alembic_version")
    finally:
        await connection.close()
    assert tables > 5 and version

    serve = await asyncio.create_subprocess_exec(
        *builder.command(tag, env, "/app/service", "serve"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        answer = None
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and serve.returncode is None:
                try:
                    answer = await client.get("/readyz", timeout=5)
                    if answer.status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.5)
        assert answer is not None and answer.status_code == 200, (
            f"exit {serve.returncode}, answer {answer and answer.text}"
        )
    finally:
        if serve.returncode is None:
            serve.terminate()
        async with asyncio.timeout(60):
            output = (await serve.communicate())[0].decode()
    assert "Traceback" not in output, output[-3000:]
    assert builder.written_outside_tmp(started) == []
