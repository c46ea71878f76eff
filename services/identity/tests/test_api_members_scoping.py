"""Every member and invitation route is scoped to the caller's organisation: ids of another
organisation are answered 404, as if they did not exist, and nothing changes."""

from __future__ import annotations

import pytest

MEMBERS = "/organizations/current/members"
INVITATIONS = "/organizations/current/invitations"


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("PATCH", "", {"role": "accountant"}),
        ("POST", "/deactivate", None),
        ("POST", "/reactivate", None),
        ("DELETE", "", None),
    ],
)
async def test_a_member_of_another_organisation_is_not_found(
    members, problem, method: str, suffix: str, body: dict[str, str] | None
) -> None:
    ours = await members.owner()
    theirs = await members.owner()
    stranger = await members.join(theirs, role="technician")

    response = await members.http.request(
        method, f"{MEMBERS}/{stranger.user_id}{suffix}", json=body, headers=ours.headers
    )

    problem(response, 404, "member-not-found")
    listed = await members.http.get(MEMBERS, headers=theirs.headers)
    row = next(item for item in listed.json()["items"] if item["id"] == str(stranger.user_id))
    assert (row["role"], row["active"]) == ("technician", True)


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("POST", "/resend"), ("POST", "/revoke"), ("DELETE", "")],
)
async def test_an_invitation_of_another_organisation_is_not_found(
    members, problem, method: str, suffix: str
) -> None:
    ours = await members.owner()
    theirs = await members.owner()
    invitation = (await members.invite(theirs, role="technician")).json()

    response = await members.http.request(
        method, f"{INVITATIONS}/{invitation['id']}{suffix}", headers=ours.headers
    )

    problem(response, 404, "invitation-not-found")
    listed = await members.http.get(INVITATIONS, headers=theirs.headers)
    assert [item["state"] for item in listed.json()["items"]] == ["pending"]


async def test_lists_show_only_the_callers_organisation(members) -> None:
    ours = await members.owner()
    theirs = await members.owner()
    await members.invite(theirs, role="technician")

    member_ids = [
        item["id"]
        for item in (await members.http.get(MEMBERS, headers=ours.headers)).json()["items"]
    ]
    invitations = (await members.http.get(INVITATIONS, headers=ours.headers)).json()["items"]

    assert member_ids == [str(ours.account.user_id)]
    assert invitations == []
