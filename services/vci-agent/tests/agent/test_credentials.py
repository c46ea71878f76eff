"""Where the device credential is kept: the OS keystore (an in-memory keyring backend stands in
for Windows Credential Manager), or, where keyring has no usable backend, an owner-only file.
Pairing and the link run against the real programming service."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError, PasswordSetError

from vci_agent.cli import main
from vci_agent.credentials import (
    KEYSTORE_SERVICE,
    CredentialPlace,
    load_credential,
    move_secret_to_keystore,
    os_keystore,
    save_credential,
)
from vci_agent.link import AgentLink
from vci_agent.pairing import DeviceCredential, PairingError

CREDENTIAL = DeviceCredential(
    server="http://127.0.0.1:8080",
    api_prefix="/api/programming",
    agent_id="0b1f6c1e-6f4e-4a8e-9f55-2d2f1f0f3a11",
    credential="device-secret-7d1c",
    release_public_key="A" * 43 + "=",
)


class MemoryKeystore(KeyringBackend):
    """An OS keystore held in memory: the tests' stand-in for Windows Credential Manager."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(f"no secret for {service}/{username}")


@pytest.fixture
def memory_keystore() -> Iterator[MemoryKeystore]:
    """keyring's backend for this test is a ``MemoryKeystore``."""
    keystore = MemoryKeystore()
    keyring.set_keyring(keystore)
    yield keystore
    keyring.set_keyring(fail.Keyring())


class RefusingKeystore(MemoryKeystore):
    """A keystore that is there but refuses writes, as a locked one without a prompt does."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keystore is locked")


def _files_holding(directory: Path, secret: str) -> list[str]:
    return [
        path.name
        for path in directory.rglob("*")
        if path.is_file() and secret.encode() in path.read_bytes()
    ]


async def _pair_command(programming_server: Any, config_dir: Path, *extra: str) -> int:
    code = await programming_server.pairing_code(uuid.uuid4())
    argv = ["--config-dir", str(config_dir), *extra, "pair", "--server", programming_server.url]
    return await asyncio.to_thread(main, [*argv, "--code", code, "--api-prefix", ""])


async def _goes_online(credential: DeviceCredential) -> bool:
    """The programming service accepts ``credential``: its link gets a Welcome."""
    welcomed = asyncio.Event()
    stop = asyncio.Event()

    async def on_welcome(welcome: Any) -> None:
        welcomed.set()
        stop.set()

    async def ignore(frame: Any, link: AgentLink) -> None:
        return None

    link = AgentLink(credential, handler=ignore, on_welcome=on_welcome)
    async with asyncio.timeout(20):
        await link.run(stop)
    return welcomed.is_set()


def test_keyrings_fail_backend_means_there_is_no_os_keystore() -> None:
    # The tests' default (see conftest), and what keyring picks on a Linux without a desktop.
    assert isinstance(keyring.get_keyring(), fail.Keyring)
    assert os_keystore() is None


def test_a_usable_keyring_backend_is_the_os_keystore(memory_keystore: MemoryKeystore) -> None:
    assert os_keystore() is memory_keystore


async def test_pair_command_keeps_the_secret_in_the_os_keystore_and_not_in_a_file(
    programming_server: Any,
    tmp_path: Path,
    memory_keystore: MemoryKeystore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config_dir = tmp_path / "config"

    assert await _pair_command(programming_server, config_dir) == 0

    record = json.loads((config_dir / "credential.json").read_text())
    secret = memory_keystore.secrets[(KEYSTORE_SERVICE, record["agent_id"])]
    assert secret
    assert _files_holding(tmp_path, secret) == []
    assert "credential" not in record
    assert record["server"] == programming_server.url
    assert f"stored in {memory_keystore.name}" in capsys.readouterr().out
    credential = load_credential(config_dir / "credential.json", keystore=memory_keystore)
    assert credential.credential == secret
    assert await _goes_online(credential)


async def test_pair_command_without_a_usable_keystore_keeps_the_secret_in_an_owner_only_file(
    programming_server: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_dir = tmp_path / "config"

    assert await _pair_command(programming_server, config_dir) == 0

    path = config_dir / "credential.json"
    secret = json.loads(path.read_text())["credential"]
    assert _files_holding(tmp_path, secret) == ["credential.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"in {path} (readable by this user only)" in capsys.readouterr().out
    assert await _goes_online(load_credential(path, keystore=None))


async def test_pair_command_with_credential_store_file_ignores_a_usable_keystore(
    programming_server: Any, tmp_path: Path, memory_keystore: MemoryKeystore
) -> None:
    config_dir = tmp_path / "config"

    assert await _pair_command(programming_server, config_dir, "--credential-store", "file") == 0

    assert memory_keystore.secrets == {}
    assert json.loads((config_dir / "credential.json").read_text())["credential"]


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG folders are Linux's")
async def test_pair_command_without_config_dir_keeps_the_record_in_the_users_config_folder(
    programming_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    code = await programming_server.pairing_code(uuid.uuid4())
    argv = ["pair", "--server", programming_server.url, "--code", code, "--api-prefix", ""]

    assert await asyncio.to_thread(main, argv) == 0

    path = tmp_path / "xdg-config" / "aos-vci-agent" / "credential.json"
    assert await _goes_online(load_credential(path, keystore=None))


def _agent_env(keystore_file: Path) -> dict[str, str]:
    """The environment of an agent process whose keyring backend is a ``SharedKeystore``."""
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "shared_keystore.SharedKeystore"
    env["AOS_TEST_KEYSTORE_FILE"] = str(keystore_file)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).parent), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


async def _agent(env: dict[str, str], *argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vci_agent",
        *argv,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _connect_until_online(
    programming_server: Any, organization_id: uuid.UUID, env: dict[str, str], *dirs: str
) -> bytes:
    """Run ``connect`` until the service lists the agent online, then stop it with SIGTERM;
    returns what it printed."""
    agent = await _agent(env, *dirs, "connect", "--port", "9")
    try:
        async with httpx.AsyncClient(base_url=programming_server.url) as http:
            async with asyncio.timeout(20):
                while agent.returncode is None:
                    listed = await http.get(
                        "/agents", headers=programming_server.auth(organization_id)
                    )
                    if any(item["online"] for item in listed.json()["items"]):
                        break
                    await asyncio.sleep(0.1)
        agent.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(agent.communicate(), 15)
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()
    assert agent.returncode == 0, err.decode()
    return out


async def test_pair_and_connect_processes_keep_and_read_the_secret_in_the_keystore(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    env = _agent_env(tmp_path / "keystore.json")
    dirs = ["--config-dir", str(tmp_path / "config"), "--state-dir", str(tmp_path / "state")]
    code = await programming_server.pairing_code(organization_id)
    pairing = await _agent(
        env, *dirs, "pair", "--server", programming_server.url, "--code", code, "--api-prefix", ""
    )
    out, err = await pairing.communicate()
    assert pairing.returncode == 0, err.decode()

    record = json.loads((tmp_path / "config" / "credential.json").read_text())
    secrets = json.loads((tmp_path / "keystore.json").read_text())
    secret = secrets[f"{KEYSTORE_SERVICE}/{record['agent_id']}"]
    assert record["credential_in"] == "keystore"
    assert _files_holding(tmp_path / "config", secret) == []
    assert b"SharedKeystore" in out
    assert b"agent stopped" in await _connect_until_online(
        programming_server, organization_id, env, *dirs
    )


async def test_connect_process_moves_an_old_files_secret_into_the_keystore(
    programming_server: Any, tmp_path: Path
) -> None:
    organization_id = uuid.uuid4()
    dirs = ["--config-dir", str(tmp_path / "config"), "--state-dir", str(tmp_path / "state")]
    code = await programming_server.pairing_code(organization_id)
    argv = [*dirs, "pair", "--server", programming_server.url, "--code", code, "--api-prefix", ""]
    assert await asyncio.to_thread(main, argv) == 0  # no keystore here: the secret is in the file
    path = tmp_path / "config" / "credential.json"
    secret = json.loads(path.read_text())["credential"]

    out = await _connect_until_online(
        programming_server, organization_id, _agent_env(tmp_path / "keystore.json"), *dirs
    )

    assert b"credential moved from" in out
    assert _files_holding(tmp_path / "config", secret) == []
    assert json.loads((tmp_path / "keystore.json").read_text()) == {
        f"{KEYSTORE_SERVICE}/{json.loads(path.read_text())['agent_id']}": secret
    }


def test_a_keystore_that_refuses_the_secret_leaves_it_in_the_owner_only_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "credential.json"

    place = save_credential(path, CREDENTIAL, keystore=RefusingKeystore())

    assert place is CredentialPlace.FILE
    assert json.loads(path.read_text())["credential"] == CREDENTIAL.credential
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_credential(path, keystore=None) == CREDENTIAL


def test_a_secret_in_an_earlier_credential_file_moves_into_the_keystore(tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    save_credential(path, CREDENTIAL, keystore=None)  # as every agent stored it before
    keystore = MemoryKeystore()

    moved = move_secret_to_keystore(path, keystore=keystore)

    assert moved
    assert keystore.secrets == {(KEYSTORE_SERVICE, CREDENTIAL.agent_id): CREDENTIAL.credential}
    assert _files_holding(tmp_path, CREDENTIAL.credential) == []
    assert load_credential(path, keystore=keystore) == CREDENTIAL
    assert move_secret_to_keystore(path, keystore=keystore) is False


def test_a_secret_stays_in_its_file_when_the_keystore_refuses_the_move(tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    save_credential(path, CREDENTIAL, keystore=None)

    assert move_secret_to_keystore(path, keystore=RefusingKeystore()) is False
    assert load_credential(path, keystore=None) == CREDENTIAL


def test_pairing_again_forgets_the_earlier_agents_secret_in_the_keystore(tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    keystore = MemoryKeystore()
    save_credential(path, CREDENTIAL, keystore=keystore)
    again = DeviceCredential(
        server=CREDENTIAL.server,
        api_prefix=CREDENTIAL.api_prefix,
        agent_id=str(uuid.uuid4()),
        credential="another-secret",
        release_public_key=CREDENTIAL.release_public_key,
    )

    save_credential(path, again, keystore=keystore)

    assert keystore.secrets == {(KEYSTORE_SERVICE, again.agent_id): "another-secret"}
    assert load_credential(path, keystore=keystore) == again


def test_pairing_again_over_an_unreadable_credential_file_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    path.write_text("{truncated")
    keystore = MemoryKeystore()

    place = save_credential(path, CREDENTIAL, keystore=keystore)

    assert place is CredentialPlace.KEYSTORE
    assert load_credential(path, keystore=keystore) == CREDENTIAL


def test_a_credential_in_the_keystore_without_a_usable_keystore_says_to_pair_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "credential.json"
    save_credential(path, CREDENTIAL, keystore=MemoryKeystore())

    with pytest.raises(PairingError, match=r"not in use here .*run `aos-vci-agent pair` again"):
        load_credential(path, keystore=None)


def test_a_credential_missing_from_the_keystore_says_to_pair_again(tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    keystore = MemoryKeystore()
    save_credential(path, CREDENTIAL, keystore=keystore)
    keystore.secrets.clear()  # e.g. removed in Windows Credential Manager

    with pytest.raises(PairingError, match=r"missing from .*MemoryKeystore: run `aos-vci-agent"):
        load_credential(path, keystore=keystore)


@pytest.mark.parametrize("content", ["", "[1, 2]", "{not json", '{"agent_id": "x"}'])
def test_an_unreadable_credential_file_is_a_pairing_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "credential.json"
    path.write_text(content)

    with pytest.raises(PairingError, match="unreadable"):
        load_credential(path, keystore=MemoryKeystore())


def test_connect_command_without_pairing_says_to_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], memory_keystore: MemoryKeystore
) -> None:
    argv = ["--config-dir", str(tmp_path), "--state-dir", str(tmp_path / "state"), "connect"]

    code = main(argv)

    assert code == 1
    assert "not paired: run `aos-vci-agent pair`" in capsys.readouterr().err


def test_pair_command_with_an_unreachable_server_says_so_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--config-dir", str(tmp_path), "pair", "--server", "http://127.0.0.1:9"]

    code = main([*argv, "--code", "ABCD-EFGH"])

    assert code == 1
    assert "cannot reach http://127.0.0.1:9" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
