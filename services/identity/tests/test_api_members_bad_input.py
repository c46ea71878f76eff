"""Bad input on the member, invitation and profile routes gets a problem, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

MEMBERS = "/organizations/current/members"
INVITATIONS = "/organizations/current/invitations"
SOME_ID = "3f6c1d2e-0000-4000-8000-000000000000"

# (method, path, a valid body or None); every route that reads a body or a path parameter.
BODY_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", INVITATIONS, {"email": "x@workshop.example", "role": "technician"}),
    ("PATCH", f"{MEMBERS}/{SOME_ID}", {"role": "technician"}),
    ("PATCH", "/organizations/current", {"city": "Bonn"}),
    ("POST", "/organizations/current/close", {"password": "x" * 12, "totp_code": "123456"}),
]
# (method, path template, the path parameter's name)
ID_ROUTES: list[tuple[str, str, str]] = [
    ("PATCH", MEMBERS + "/{id}", "user_id"),
    ("POST", MEMBERS + "/{id}/deactivate", "user_id"),
    ("POST", MEMBERS + "/{id}/reactivate", "user_id"),
    ("DELETE", MEMBERS + "/{id}", "user_id"),
    ("POST", INVITATIONS + "/{id}/resend", "invitation_id"),
    ("POST", INVITATIONS + "/{id}/revoke", "invitation_id"),
    ("DELETE", INVITATIONS + "/{id}", "invitation_id"),
]


@pytest.fixture
async def owner(members):
    return await members.owner()


@pytest.mark.parametrize(("method", "path", "valid"), BODY_ROUTES)
@pytest.mark.parametrize(
    "change",
    [
        {"__nul__": True},
        {"__type__": 42},
        {"__type__": ["a", "list"]},
        {"__long__": True},
        {"unknown_field": "x"},
    ],
    ids=["nul", "number", "list", "overlong", "unknown-field"],
)
async def test_bad_bodies_are_422_naming_the_field(
    members, owner, problem, method: str, path: str, valid: dict[str, Any], change: dict[str, Any]
) -> None:
    field = next(iter(valid))
    body = dict(valid)
    if "__nul__" in change:
        body[field] = "bad\x00value"
    elif "__type__" in change:
        body[field] = change["__type__"]
    elif "__long__" in change:
        body[field] = "x" * 100_000
    else:
        body.update(change)

    response = await members.http.request(method, path, json=body, headers=owner.headers)

    problem_body = problem(response, 422, "validation-error")
    assert [error["field"] for error in problem_body["errors"]] == [
        "unknown_field" if "unknown_field" in change else field
    ]


@pytest.mark.parametrize(("method", "template", "parameter"), ID_ROUTES)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1" * 2000, "%00"])
async def test_bad_ids_are_422_naming_the_path_parameter(
    members, owner, problem, method: str, template: str, parameter: str, bad_id: str
) -> None:
    body = {"role": "technician"} if method == "PATCH" else None
    response = await members.http.request(
        method, template.format(id=bad_id), json=body, headers=owner.headers
    )

    problem_body = problem(response, 422, "validation-error")
    assert problem_body["errors"][0]["field"] == f"path.{parameter}"


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        ("x" * 600, 422, "validation-error"),
        ("", 422, "validation-error"),
        ("\u0000", 422, "validation-error"),
        ("\u0001", 404, "invitation-not-found"),
    ],
)
async def test_bad_invitation_tokens_are_problems(
    members, problem, token: str, status: int, code: str
) -> None:
    problem(await members.http.post("/invitations/preview", json={"token": token}), status, code)
    problem(await members.accept(token), status, code)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Anna", "password": "short"}, "password"),
        ({"name": "   ", "password": "correct horse battery staple"}, "name"),
        ({"name": "A" * 2000, "password": "correct horse battery staple"}, "name"),
        ({"name": 7, "password": "correct horse battery staple"}, "name"),
        ({"password": "correct horse battery staple"}, "name"),
    ],
)
async def test_bad_acceptance_bodies_are_422_naming_the_field(
    members, owner, problem, body: dict[str, Any], field: str
) -> None:
    email = (await members.invite(owner, role="technician")).json()["email"]
    token = await members.invitation_token(email)

    response = await members.http.post("/invitations/accept", json={"token": token, **body})

    problem_body = problem(response, 422, "validation-error")
    assert [error["field"] for error in problem_body["errors"]] == [field]
    # The invitation is still good.
    assert (
        await members.http.post("/invitations/preview", json={"token": token})
    ).status_code == 200


async def test_unknown_role_is_422(members, owner, problem) -> None:
    response = await members.invite(owner, role="superuser")
    body = problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "role"


async def test_unknown_member_id_is_404(members, owner, problem) -> None:
    response = await members.http.post(
        f"{MEMBERS}/{uuid.uuid4()}/deactivate", headers=owner.headers
    )
    problem(response, 404, "member-not-found")
