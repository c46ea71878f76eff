"""The CAN ids of the catalog's ECU types: filled for the demo types (seed and migration
programming_0011), listed at GET /ecu-types, kept by staff with ``python -m programming
ecu-types``, and sent with every StartJob."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from programming.__main__ import main
from programming.domain.can_ids import can_ids_problem
from programming.errors import EcuTypeNotFoundError, InvalidCanIdsError
from programming.main import MIGRATIONS_DIR
from programming.services.catalog import set_can_ids
from programming.testing import PREFLIGHT
from servicekit.migrations import downgrade, upgrade
from servicekit.testing import TestTokenIssuer

Auth = Callable[..., dict[str, str]]
Grant = Callable[..., Awaitable[Any]]
AgentFactory = Callable[..., Awaitable[Any]]
# The start body: the pre-flight checklist confirmed at the vehicle.
VIN = "WBA5F3103MFX12345"
DEMO_IDS = {
    "BDC_G20": (0x740, 0x748),
    "DME_B48": (0x712, 0x71A),
    "HU_MGU": (0x763, 0x76B),
}


async def test_the_demo_ecu_types_are_listed_with_their_can_ids(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/ecu-types", headers=auth(uuid.uuid4()))

    assert response.status_code == 200, response.text
    listed = {
        item["key"]: (item["can_request_id"], item["can_response_id"])
        for item in response.json()["items"]
    }
    assert listed == DEMO_IDS


async def test_an_accountant_does_not_see_the_ecu_types(
    client: httpx.AsyncClient, token_issuer: TestTokenIssuer
) -> None:
    token = token_issuer.token(organization_id=uuid.uuid4(), roles=("accountant",))
    response = await client.get("/ecu-types", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("request_id", "response_id", "says"),
    [
        (0x800, 0x808, "not an 11-bit id"),
        (0x712, -1, "not an 11-bit id"),
        (0x712, None, "Give both CAN ids"),
        (None, 0x71A, "Give both CAN ids"),
        (0x712, 0x712, "both 0x712"),
    ],
)
def test_bad_can_ids_are_explained(
    request_id: int | None, response_id: int | None, says: str
) -> None:
    problem = can_ids_problem(request_id, response_id)
    assert problem is not None and says in problem


def test_good_can_ids_and_none_at_all_pass() -> None:
    assert can_ids_problem(0x000, 0x7FF) is None
    assert can_ids_problem(None, None) is None


async def test_setting_bad_can_ids_is_a_typed_422_problem_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, auth: Auth
) -> None:
    with pytest.raises(InvalidCanIdsError, match="not an 11-bit id") as refused:
        async with app.state.database.transaction() as session:
            await set_can_ids(session, "DME_B48", request=0x712, response=0x1000)
    assert (refused.value.status, refused.value.type_uri()) == (422, "/problems/invalid-can-ids")
    with pytest.raises(EcuTypeNotFoundError):
        async with app.state.database.transaction() as session:
            await set_can_ids(session, "NO_SUCH_ECU", request=0x712, response=0x71A)

    listed = (await client.get("/ecu-types", headers=auth(uuid.uuid4()))).json()["items"]
    assert {i["key"]: (i["can_request_id"], i["can_response_id"]) for i in listed} == DEMO_IDS


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("PROGRAMMING_DATABASE_URL", database_url)
    monkeypatch.setenv("PROGRAMMING_RELEASE_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.setenv("PROGRAMMING_SECRET_KEYS_FILE", str(tmp_path / "secret-keys"))
    return database_url


def test_staff_set_and_clear_can_ids_from_the_command_line(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    capsys.readouterr()

    assert main(["ecu-types", "set-can-ids", "HU_MGU", "0x7E1", "0x7E9"]) == 0
    assert "HU_MGU           CAN 0x7e1/0x7e9" in capsys.readouterr().out
    assert main(["ecu-types", "clear-can-ids", "BDC_G20"]) == 0
    capsys.readouterr()
    assert main(["ecu-types", "list"]) == 0
    out = capsys.readouterr().out
    assert "BDC_G20          CAN -" in out
    assert "DME_B48          CAN 0x712/0x71a" in out
    assert "HU_MGU           CAN 0x7e1/0x7e9" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["HU_MGU", "0x900", "0x908"], "not an 11-bit id"),
        (["HU_MGU", "0x763", "0x763"], "both 0x763"),
        (["NO_SUCH_ECU", "0x763", "0x76B"], "The catalog has no ECU type 'NO_SUCH_ECU'"),
    ],
)
def test_staff_get_told_why_can_ids_are_refused(
    cli_env: str, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert main(["seed"]) == 0
    capsys.readouterr()

    assert main(["ecu-types", "set-can-ids", *argv]) == 1
    assert says in capsys.readouterr().err
    assert main(["ecu-types", "list"]) == 0
    assert "HU_MGU           CAN 0x763/0x76b" in capsys.readouterr().out


def test_staff_name_the_key_algorithm_of_an_ecu_type(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed"]) == 0
    capsys.readouterr()

    assert main(["ecu-types", "set-algorithm", "HU_MGU", "aos-demo-2"]) == 0
    assert "HU_MGU           CAN 0x763/0x76b  KEY AOS-DEMO-2" in capsys.readouterr().out
    assert main(["ecu-types", "set-algorithm", "HU_MGU", "OEM-X-7"]) == 1
    assert capsys.readouterr().err.strip() == (
        "programming: unknown security key algorithm 'OEM-X-7' (known: AOS-DEMO-1, AOS-DEMO-2)"
    )
    assert main(["ecu-types", "list"]) == 0
    out = capsys.readouterr().out
    assert "HU_MGU           CAN 0x763/0x76b  KEY AOS-DEMO-2" in out
    assert "DME_B48          CAN 0x712/0x71a  KEY AOS-DEMO-1" in out


async def test_the_migration_fills_the_can_ids_of_the_demo_types_already_in_the_catalog(
    cli_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["seed"]) == 0
    # Back to before programming_0011: the demo types exist without CAN ids.
    await asyncio.to_thread(downgrade, MIGRATIONS_DIR, cli_env, "programming_0010")
    await asyncio.to_thread(upgrade, MIGRATIONS_DIR, cli_env)
    capsys.readouterr()

    assert await asyncio.to_thread(main, ["ecu-types", "list"]) == 0
    out = capsys.readouterr().out
    for key, (request, response) in DEMO_IDS.items():
        assert f"{key:<16} CAN {request:#05x}/{response:#05x}" in out


async def test_start_job_carries_the_can_ids_of_the_catalog_and_none_when_unknown(
    app: FastAPI, http: httpx.AsyncClient, auth: Auth, grant: Grant, paired_agent: AgentFactory
) -> None:
    organization_id = uuid.uuid4()
    headers = auth(organization_id)
    await grant(organization_id)
    agent = await paired_agent(organization_id)

    async def flash_the_dme() -> Any:
        planned = await http.post(
            "/sessions", json={"agent_id": agent.agent_id, "vin": VIN}, headers=headers
        )
        session_id = planned.json()["id"]
        started = await http.post(f"/sessions/{session_id}/start", json=PREFLIGHT, headers=headers)
        assert started.status_code == 202, started.text
        for _ in range(400):
            body = (await http.get(f"/sessions/{session_id}", headers=headers)).json()
            if body["state"] not in ("PLANNED", "RUNNING"):
                return agent.start_jobs[-1]
            await asyncio.sleep(0.05)
        raise AssertionError("the session did not end")

    first = await flash_the_dme()
    assert first.has_can_ids
    assert (first.can_request_id, first.can_response_id) == (0x712, 0x71A)

    # The DME runs 1.1.0 now: put it back to 1.0.0, and take its ids out of the catalog.
    agent.ecus[0x12].software_version = "1.0.0"
    async with app.state.database.transaction() as session:
        await set_can_ids(session, "DME_B48", request=None, response=None)
    second = await flash_the_dme()
    assert not second.has_can_ids
    assert (second.can_request_id, second.can_response_id) == (0, 0)
