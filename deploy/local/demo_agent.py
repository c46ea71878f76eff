"""Pair the demo VCI agent with the demo workshop, as a person would through the portal.

`make run` logs in as the demo user, asks the programming service for a pairing code, and runs
`python -m vci_agent pair` with it, so the agent that `make run` starts is online for the demo
workshop. Standard library only, plus pyotp for the TOTP code.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pyotp

TIMEOUT_S = 10


class DemoAgentError(Exception):
    """The demo agent could not be paired; the message says which step failed."""


def call(method: str, url: str, body: Any = None, token: str | None = None) -> Any:
    """One JSON request; raises DemoAgentError with the problem detail on an error status."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (loopback)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        raise DemoAgentError(f"{method} {url} answered {exc.code}: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DemoAgentError(f"{method} {url} failed: {exc}") from exc
    return json.loads(raw) if raw else None


def log_in(api: str, *, email: str, password: str, totp_secret: str) -> str:
    """An access token for the demo user.

    Uses the code of the previous time step (still accepted), so that the person trying the
    system can log in with the current code right away: a step is never accepted twice.
    """
    totp = pyotp.TOTP(totp_secret)
    for at in (time.time() - 30, time.time()):
        try:
            body = call(
                "POST",
                f"{api}/identity/auth/login",
                {
                    "email": email,
                    "password": password,
                    "totp_code": totp.at(at),
                },
            )
            return str(body["access_token"])
        except DemoAgentError:
            continue
    raise DemoAgentError("cannot log in as the demo user to pair the demo agent")


def pair_demo_agent(
    api: str,
    *,
    gateway: str,
    config_dir: Path,
    token: str,
    env: dict[str, str],
) -> str:
    """Revoke the agent paired by an earlier run, pair a new one; returns its agent id."""
    credential = config_dir / "credential.json"
    if credential.is_file():
        previous = json.loads(credential.read_text()).get("agent_id")
        if previous:
            # It may belong to a database that is gone: then there is nothing to revoke.
            with contextlib.suppress(DemoAgentError):
                call("DELETE", f"{api}/programming/agents/{previous}", token=token)
    code = call("POST", f"{api}/programming/agents/pairing-codes", {}, token=token)["code"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vci_agent",
            "--config-dir",
            str(config_dir),
            # The demo's throwaway credential stays in .local, out of the developer's keystore.
            "--credential-store",
            "file",
            "pair",
            "--server",
            gateway,
            "--code",
            code,
            "--name",
            "Demo workshop PC",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DemoAgentError(f"pairing the demo agent failed:\n{result.stdout}{result.stderr}")
    return str(json.loads(credential.read_text())["agent_id"])


def wait_online(api: str, agent_id: str, *, token: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        agents = call("GET", f"{api}/programming/agents", token=token)
        items = agents["items"] if isinstance(agents, dict) else agents
        if any(a["id"] == agent_id and a["online"] for a in items):
            return
        time.sleep(0.3)
    raise DemoAgentError(f"the demo agent {agent_id} did not come online in {timeout_s:.0f} s")
