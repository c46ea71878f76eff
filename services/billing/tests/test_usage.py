"""The usage read model and its reports: air's and programming's events applied through billing's
real consumer handlers (and once over Kafka), then read through the HTTP API."""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from google.protobuf.message import Message

from aos.events.v1 import air_pb2, identity_pb2, programming_pb2
from billing.consumers.members import MEMBERS_CONSUMER
from billing.consumers.usage import USAGE_CONSUMER
from servicekit.consumer import BadEvent, IncomingEvent
from servicekit.db import Database
from servicekit.relay import (
    HEADER_AGGREGATE,
    HEADER_ID,
    HEADER_SOURCE,
    HEADER_TIME,
    HEADER_TYPE,
    new_producer,
)
from servicekit.testing import assert_problem, incoming_event, timestamp

from .conftest import Billing, Org

VIN = "WBA3A5C50CF256551"
OTHER_VIN = "WBAKS410500H12345"


def search(
    org: uuid.UUID, *, at: datetime, user: uuid.UUID | None = None, vin: str = VIN
) -> air_pb2.AirSearchPerformed:
    return air_pb2.AirSearchPerformed(
        search_id=str(uuid.uuid4()),
        organization_id=str(org),
        user_id=str(user) if user else "",
        kind=air_pb2.SEARCH_KIND_VIN if vin else air_pb2.SEARCH_KIND_KEYWORD,
        vin=vin,
        result_count=3,
        performed_at=timestamp(at),
    )


def read(
    org: uuid.UUID, *, at: datetime, user: uuid.UUID | None = None, vin: str = VIN
) -> air_pb2.AirDocumentRead:
    return air_pb2.AirDocumentRead(
        read_id=str(uuid.uuid4()),
        organization_id=str(org),
        user_id=str(user) if user else "",
        document_id="RI-0001",
        vin=vin,
        read_at=timestamp(at),
    )


def session_started(
    org: uuid.UUID,
    *,
    at: datetime,
    session_id: uuid.UUID | None = None,
    user: uuid.UUID | None = None,
    vin: str = VIN,
) -> programming_pb2.SessionStarted:
    return programming_pb2.SessionStarted(
        session_id=str(session_id or uuid.uuid4()),
        organization_id=str(org),
        vin=vin,
        agent_id=str(uuid.uuid4()),
        started_by=str(user) if user else "",
        started_at=timestamp(at),
    )


def session_ended(
    org: uuid.UUID,
    session_id: uuid.UUID,
    *,
    at: datetime,
    started_at: datetime | None = None,
    user: uuid.UUID | None = None,
    vin: str = "",
) -> programming_pb2.SessionEnded:
    message = programming_pb2.SessionEnded(
        session_id=str(session_id),
        organization_id=str(org),
        reason=programming_pb2.SESSION_END_REASON_COMPLETED,
        ended_at=timestamp(at),
        vin=vin,
        started_by=str(user) if user else "",
    )
    if started_at is not None:
        message.started_at.CopyFrom(timestamp(started_at))
    return message


def job_finished(
    org: uuid.UUID, session_id: uuid.UUID, *, at: datetime, **fields: Any
) -> programming_pb2.FlashJobFinished:
    """A job as an older producer sends it (no vin, no started_by) unless ``fields`` say."""
    return programming_pb2.FlashJobFinished(
        job_id=str(uuid.uuid4()),
        session_id=str(session_id),
        organization_id=str(org),
        ecu_logical_address=0x10,
        outcome=programming_pb2.FLASH_OUTCOME_SUCCEEDED,
        started_at=timestamp(at),
        finished_at=timestamp(at),
        **fields,
    )


def user_registered(
    org: uuid.UUID, user: uuid.UUID, *, email: str, at: datetime, name: str = ""
) -> identity_pb2.UserRegistered:
    """An owner's registration; without ``name`` as an older producer sent it."""
    return identity_pb2.UserRegistered(
        user_id=str(user),
        organization_id=str(org),
        email=email,
        role="owner",
        registered_at=timestamp(at),
        name=name,
    )


def member_joined(
    org: uuid.UUID, user: uuid.UUID, *, email: str, name: str, at: datetime
) -> identity_pb2.MemberJoined:
    return identity_pb2.MemberJoined(
        user_id=str(user),
        organization_id=str(org),
        email=email,
        name=name,
        role="technician",
        invitation_id=str(uuid.uuid4()),
        joined_at=timestamp(at),
    )


_HANDLERS = {**USAGE_CONSUMER.subscriptions, **MEMBERS_CONSUMER.subscriptions}


async def apply(database: Database, *messages: Message) -> list[IncomingEvent[Any]]:
    """Each message through its consumer handler, one transaction each, as the consumer does;
    returns the events (to replay them)."""
    events = [incoming_event(message, source="test", aggregate_id="") for message in messages]
    await apply_events(database, *events)
    return events


async def apply_events(database: Database, *events: IncomingEvent[Any]) -> None:
    for event in events:
        async with database.transaction() as session:
            await _HANDLERS[event.event_type].handler(session, event)


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


async def report(billing: Billing, org: Org, **params: str) -> dict[str, Any]:
    response = await billing.client.get("/usage", params=params, headers=org.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in body["items"]}


async def test_report_per_day_counts_each_kind_and_lists_every_day_of_the_period(
    billing: Billing,
) -> None:
    org = billing.org()
    session_id = uuid.uuid4()
    await apply(
        billing.app.state.database,
        search(org.id, at=at(2, 9)),
        search(org.id, at=at(2, 23, 59, 59)),
        read(org.id, at=at(2, 10)),
        search(org.id, at=at(4, 0)),
        session_started(org.id, at=at(4, 8), session_id=session_id),
        job_finished(org.id, session_id, at=at(4, 8, 30)),
        job_finished(org.id, session_id, at=at(4, 8, 40)),
        session_ended(org.id, session_id, at=at(4, 9)),
        # Outside the period: the day before and the day after.
        search(org.id, at=at(1, 23, 59, 59)),
        read(org.id, at=at(5, 0)),
    )

    body = await report(billing, org, **{"from": "2026-11-02", "to": "2026-11-04"})

    assert body["from"] == "2026-11-02"
    assert body["to"] == "2026-11-04"
    assert [item["key"] for item in body["items"]] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    counts = {
        item["key"]: (
            item["air_searches"],
            item["air_documents"],
            item["programming_sessions"],
            item["programming_jobs"],
        )
        for item in body["items"]
    }
    assert counts == {
        "2026-11-02": (2, 1, 0, 0),
        "2026-11-03": (0, 0, 0, 0),
        "2026-11-04": (1, 0, 1, 2),
    }


async def test_jobs_without_vin_and_member_take_them_from_their_session(
    billing: Billing,
) -> None:
    org = billing.org()
    technician, other = uuid.uuid4(), uuid.uuid4()
    session_id = uuid.uuid4()
    await apply(
        billing.app.state.database,
        # The job arrives before its session's start: the report joins at read time.
        job_finished(org.id, session_id, at=at(4, 8, 30)),
        session_started(org.id, at=at(4, 8), session_id=session_id, user=technician, vin=VIN),
        search(org.id, at=at(4, 9), user=other, vin=OTHER_VIN),
        search(org.id, at=at(4, 9), user=other, vin=""),
    )
    period = {"from": "2026-11-04", "to": "2026-11-04"}

    per_vin = by_key(await report(billing, org, group_by="vin", **period))
    per_member = by_key(await report(billing, org, group_by="member", **period))

    assert set(per_vin) == {VIN, OTHER_VIN, ""}
    assert (per_vin[VIN]["programming_sessions"], per_vin[VIN]["programming_jobs"]) == (1, 1)
    assert per_vin[OTHER_VIN]["air_searches"] == 1
    assert per_vin[""]["air_searches"] == 1
    assert set(per_member) == {str(technician), str(other)}
    assert per_member[str(technician)]["programming_jobs"] == 1
    assert per_member[str(other)]["air_searches"] == 2


async def test_a_replayed_fact_counts_once_under_a_new_event_id(billing: Billing) -> None:
    org = billing.org()
    database = billing.app.state.database
    message = search(org.id, at=at(4, 9))
    await apply(database, message)
    await apply(database, message)  # the same search, published again with a new event id
    session_id = uuid.uuid4()
    started = session_started(org.id, at=at(4, 10), session_id=session_id)
    await apply(database, started, started)

    day = by_key(await report(billing, org, **{"from": "2026-11-04", "to": "2026-11-04"}))

    assert day["2026-11-04"]["air_searches"] == 1
    assert day["2026-11-04"]["programming_sessions"] == 1


async def test_a_session_whose_end_arrives_first_keeps_its_real_start(billing: Billing) -> None:
    org = billing.org()
    database = billing.app.state.database
    session_id = uuid.uuid4()
    technician = uuid.uuid4()
    # An older producer's SessionEnded: no start, no VIN, no member.
    await apply(database, session_ended(org.id, session_id, at=at(5, 0, 30)))
    await apply(
        database,
        session_started(org.id, at=at(4, 23, 50), session_id=session_id, user=technician),
    )

    rows = await billing.sql(
        "SELECT occurred_at, ended_at, vin, user_id, day FROM usage_facts WHERE id = :id",
        id=session_id,
    )

    assert len(rows) == 1
    assert rows[0].occurred_at == at(4, 23, 50)
    assert rows[0].ended_at == at(5, 0, 30)
    assert (rows[0].vin, rows[0].user_id, rows[0].day) == (VIN, technician, date(2026, 11, 4))


async def test_a_report_shows_only_the_callers_organisation(billing: Billing) -> None:
    mine, theirs = billing.org(), billing.org()
    await apply(
        billing.app.state.database,
        search(mine.id, at=at(4, 9)),
        search(theirs.id, at=at(4, 9)),
        search(theirs.id, at=at(4, 10), vin=OTHER_VIN),
    )
    period = {"from": "2026-11-04", "to": "2026-11-04"}

    per_vin = by_key(await report(billing, mine, group_by="vin", **period))
    per_day = by_key(await report(billing, mine, **period))

    assert set(per_vin) == {VIN}
    assert per_vin[VIN]["air_searches"] == 1
    assert per_day["2026-11-04"]["air_searches"] == 1


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"from": "2026-11-05", "to": "2026-11-04"}, "query.from", "period-reversed"),
        ({"from": "2025-11-03", "to": "2026-11-04"}, "query.to", "period-too-long"),
    ],
)
@pytest.mark.parametrize("path", ["/usage", "/usage.csv"])
async def test_an_impossible_period_is_a_422_naming_the_parameter(
    billing: Billing, path: str, params: dict[str, str], field: str, code: str
) -> None:
    org = billing.org()

    response = await billing.client.get(path, params=params, headers=org.headers)

    body = assert_problem(response, 422, "usage-period-invalid")
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]


async def test_a_leap_year_of_days_is_the_longest_period(billing: Billing) -> None:
    org = billing.org()

    body = await report(billing, org, **{"from": "2027-11-04", "to": "2028-11-03"})

    assert len(body["items"]) == 366


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-02-30"}, {"to": "yesterday"}, {"group_by": "week"}],
)
async def test_malformed_report_parameters_are_a_422_validation_error(
    billing: Billing, params: dict[str, str]
) -> None:
    org = billing.org()

    response = await billing.client.get("/usage", params=params, headers=org.headers)

    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"].startswith("query.")


async def test_without_dates_the_report_covers_the_last_30_days(billing: Billing) -> None:
    org = billing.org()
    today = datetime.now(UTC).date()

    body = await report(billing, org)

    assert body["to"] == today.isoformat()
    assert body["from"] == (today - timedelta(days=29)).isoformat()
    assert len(body["items"]) == 30


@pytest.mark.parametrize("path", ["/usage", "/usage.csv", "/usage/passes"])
async def test_a_technician_may_not_read_usage(billing: Billing, path: str) -> None:
    org = billing.org()
    token = billing.issuer.token(user_id=org.user_id, organization_id=org.id, roles=("technician",))

    response = await billing.client.get(path, headers={"authorization": f"Bearer {token}"})

    assert_problem(response, 403, "role-forbidden")


async def test_an_accountant_reads_usage(billing: Billing) -> None:
    org = billing.org()
    token = billing.issuer.token(user_id=org.user_id, organization_id=org.id, roles=("accountant",))

    response = await billing.client.get("/usage", headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.text


async def test_members_are_named_from_identitys_events_and_erased_when_removed(
    billing: Billing,
) -> None:
    org = billing.org()
    owner, technician, early = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database = billing.app.state.database
    await apply(
        database,
        user_registered(org.id, owner, email="owner@kfz.example", at=at(1, 8), name="Olga Owner"),
        user_registered(org.id, early, email="early@kfz.example", at=at(1, 7)),
        member_joined(org.id, technician, email="tec@kfz.example", name="Tina Tech", at=at(1, 9)),
        search(org.id, at=at(4, 9), user=owner),
        search(org.id, at=at(4, 9), user=technician),
        search(org.id, at=at(4, 9), user=early),
    )
    period = {"from": "2026-11-04", "to": "2026-11-04", "group_by": "member"}

    named = by_key(await report(billing, org, **period))
    await apply(
        database,
        identity_pb2.MemberDeactivated(
            user_id=str(technician),
            organization_id=str(org.id),
            removed=True,
            deactivated_at=timestamp(at(2, 8)),
        ),
    )
    erased = by_key(await report(billing, org, **period))

    assert (named[str(owner)]["member_email"], named[str(owner)]["member_name"]) == (
        "owner@kfz.example",
        "Olga Owner",
    )
    # Registered by an older identity, without a name: the e-mail only.
    assert (named[str(early)]["member_email"], named[str(early)]["member_name"]) == (
        "early@kfz.example",
        None,
    )
    assert named[str(technician)]["member_name"] == "Tina Tech"
    assert erased[str(technician)]["member_name"] is None
    assert erased[str(technician)]["member_email"] is None
    assert erased[str(technician)]["air_searches"] == 1


async def test_an_older_member_event_does_not_overwrite_a_newer_one(billing: Billing) -> None:
    org = billing.org()
    user = uuid.uuid4()
    database = billing.app.state.database
    await apply(
        database,
        member_joined(org.id, user, email="new@kfz.example", name="New Name", at=at(3, 9)),
        member_joined(org.id, user, email="old@kfz.example", name="Old Name", at=at(2, 9)),
    )

    rows = await billing.sql("SELECT email, name FROM members WHERE user_id = :id", id=user)

    assert [(r.email, r.name) for r in rows] == [("new@kfz.example", "New Name")]


async def test_csv_has_a_header_quotes_cells_and_defuses_formulas(billing: Billing) -> None:
    org = billing.org()
    sneaky, comma = uuid.uuid4(), uuid.uuid4()
    await apply(
        billing.app.state.database,
        member_joined(org.id, sneaky, email="x@kfz.example", name="=HYPERLINK(1)", at=at(1, 9)),
        member_joined(org.id, comma, email="y@kfz.example", name='Doe, "J"', at=at(1, 9)),
        search(org.id, at=at(4, 9), user=sneaky),
        read(org.id, at=at(4, 9), user=comma),
    )

    response = await billing.client.get(
        "/usage.csv",
        params={"from": "2026-11-04", "to": "2026-11-04", "group_by": "member"},
        headers=org.headers,
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        'attachment; filename="usage-member-2026-11-04-2026-11-04.csv"'
    )
    assert '"Doe, ""J"""' in response.text  # RFC 4180 quoting
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == [
        "key",
        "air_searches",
        "air_documents",
        "programming_sessions",
        "programming_jobs",
        "member_name",
        "member_email",
    ]
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user[str(sneaky)][1:] == ["1", "0", "0", "0", "'=HYPERLINK(1)", "x@kfz.example"]
    assert by_user[str(comma)][1:] == ["0", "1", "0", "0", 'Doe, "J"', "y@kfz.example"]


async def test_csv_per_day_matches_the_json_report(billing: Billing) -> None:
    org = billing.org()
    await apply(billing.app.state.database, search(org.id, at=at(4, 9)), read(org.id, at=at(3, 1)))
    params = {"from": "2026-11-03", "to": "2026-11-04"}

    response = await billing.client.get("/usage.csv", params=params, headers=org.headers)

    assert response.text == (
        "key,air_searches,air_documents,programming_sessions,programming_jobs\r\n"
        "2026-11-03,0,1,0,0\r\n"
        "2026-11-04,1,0,0,0\r\n"
    )


async def test_a_malformed_event_is_refused_as_bad(billing: Billing) -> None:
    broken = search(uuid.uuid4(), at=at(4, 9))
    broken.organization_id = "not-a-uuid"
    no_time = session_started(uuid.uuid4(), at=at(4, 9))
    no_time.ClearField("started_at")

    for message in (broken, no_time):
        with pytest.raises(BadEvent):
            await apply(billing.app.state.database, message)
    assert await billing.sql("SELECT 1 FROM usage_facts") == []


async def set_window(billing: Billing, order_id: str, start: datetime, end: datetime) -> str:
    """Move the pass an order granted to a known window; returns its entitlement id."""
    rows = await billing.sql(
        "UPDATE entitlements SET valid_from = :start, valid_until = :end"
        " WHERE order_id = :order RETURNING id",
        start=start,
        end=end,
        order=uuid.UUID(order_id),
    )
    return str(rows[0].id)


async def passes(billing: Billing, org: Org) -> dict[str, dict[str, Any]]:
    response = await billing.client.get("/usage/passes", headers=org.headers)
    assert response.status_code == 200, response.text
    return {item["entitlement_id"]: item for item in response.json()["items"]}


async def test_air_use_is_counted_in_distinct_quarter_hours_within_the_window(
    billing: Billing,
) -> None:
    org, stranger = billing.org(), billing.org()
    order = await billing.buy(org, "AIR_1H")
    pass_id = await set_window(billing, order["id"], at(5, 10), at(5, 11))
    await apply(
        billing.app.state.database,
        search(org.id, at=at(5, 9, 59, 59)),  # before the window
        search(org.id, at=at(5, 10, 1)),  # quarter 10:00
        read(org.id, at=at(5, 10, 5)),  # quarter 10:00
        search(org.id, at=at(5, 10, 14, 59)),  # quarter 10:00
        read(org.id, at=at(5, 10, 15)),  # quarter 10:15
        search(org.id, at=at(5, 11)),  # the window's end is excluded
        search(stranger.id, at=at(5, 10, 40)),  # another organisation
    )

    item = (await passes(billing, org))[pass_id]

    assert item["scope"] == "AIR"
    assert item["bought_seconds"] == 3600
    assert item["used_seconds"] == 2 * 900
    assert item["valid_from"].startswith("2026-11-05T10:00:00")


async def test_air_use_never_exceeds_the_time_bought(billing: Billing) -> None:
    org = billing.org()
    order = await billing.buy(org, "AIR_1H")
    pass_id = await set_window(billing, order["id"], at(5, 10, 10), at(5, 11, 10))
    # Five quarter hours touched within a one-hour window: 10:10, 10:15, 10:30, 10:45, 11:00.
    await apply(
        billing.app.state.database,
        *(search(org.id, at=at(5, 10, minute)) for minute in (10, 15, 30, 45)),
        search(org.id, at=at(5, 11, 5)),
    )

    item = (await passes(billing, org))[pass_id]

    assert item["used_seconds"] == 3600


async def test_programming_use_is_the_sum_of_session_time_within_the_window(
    billing: Billing,
) -> None:
    org, stranger = billing.org(), billing.org()
    order = await billing.buy(org, "PROGRAMMING_1H")
    pass_id = await set_window(billing, order["id"], at(5, 10), at(5, 11))
    database = billing.app.state.database
    before, inside, after, running, foreign = (uuid.uuid4() for _ in range(5))
    await apply(
        database,
        # 09:50-10:20 overlaps by 20 minutes.
        session_started(org.id, at=at(5, 9, 50), session_id=before),
        session_ended(org.id, before, at=at(5, 10, 20), started_at=at(5, 9, 50)),
        # 10:30-10:40: 10 minutes.
        session_started(org.id, at=at(5, 10, 30), session_id=inside),
        session_ended(org.id, inside, at=at(5, 10, 40)),
        # 11:30-11:40: after the window.
        session_started(org.id, at=at(5, 11, 30), session_id=after),
        session_ended(org.id, after, at=at(5, 11, 40)),
        # Started 10:50 and still running (its end not reported): counts to the window's end.
        session_started(org.id, at=at(5, 10, 50), session_id=running),
        session_started(stranger.id, at=at(5, 10, 0), session_id=foreign),
    )

    item = (await passes(billing, org))[pass_id]

    assert item["scope"] == "PROGRAMMING"
    assert item["bought_seconds"] == 3600
    assert item["used_seconds"] == (20 + 10 + 10) * 60


async def test_an_unused_pass_shows_nothing_used_and_passes_are_per_organisation(
    billing: Billing,
) -> None:
    org, other = billing.org(), billing.org()
    mine = await billing.buy(org, "AIR_1D")
    await billing.buy(other, "AIR_1D")

    listed = await passes(billing, org)

    assert len(listed) == 1
    (item,) = listed.values()
    assert item["used_seconds"] == 0
    assert item["bought_seconds"] == 86_400
    assert item["vin"] is None
    rows = await billing.sql(
        "SELECT id FROM entitlements WHERE order_id = :id", id=uuid.UUID(mine["id"])
    )
    assert item["entitlement_id"] == str(rows[0].id)


def envelope(message: Message, *, event_id: uuid.UUID, key: str) -> list[tuple[str, bytes]]:
    """The headers exactly as servicekit.relay writes them."""
    return [
        (HEADER_ID, str(event_id).encode()),
        (HEADER_TYPE, message.DESCRIPTOR.full_name.encode()),
        (HEADER_SOURCE, b"test"),
        (HEADER_TIME, datetime.now(UTC).isoformat().encode()),
        (HEADER_AGGREGATE, key.encode()),
    ]


async def test_usage_events_over_kafka_reach_the_report_once_despite_redelivery(
    start_billing: Any, kafka_bootstrap_servers: str
) -> None:
    org = uuid.uuid4()
    technician = uuid.uuid4()
    session_id = uuid.uuid4()
    messages: list[tuple[str, Message]] = [
        ("identity.v1", member_joined(org, technician, email="t@k.example", name="T", at=at(1, 8))),
        ("air.v1", search(org, at=at(4, 9), user=technician)),
        ("air.v1", read(org, at=at(4, 9, 5), user=technician)),
        (
            "programming.v1",
            session_started(org, at=at(4, 10), session_id=session_id, user=technician),
        ),
        ("programming.v1", job_finished(org, session_id, at=at(4, 10, 20))),
        ("programming.v1", session_ended(org, session_id, at=at(4, 10, 30))),
    ]
    async with start_billing(run_background_workers=True) as billing:
        owner = Org(org, technician, billing.issuer.token(user_id=technician, organization_id=org))
        producer = new_producer(kafka_bootstrap_servers)
        await producer.start()
        try:
            for topic, message in messages:
                event_id = uuid.uuid4()
                # Every record twice under the same event id: a redelivery.
                for _ in range(2):
                    await producer.send_and_wait(
                        billing.settings.topic(topic),
                        value=message.SerializeToString(),
                        key=str(org).encode(),
                        headers=envelope(message, event_id=event_id, key=str(org)),
                    )
        finally:
            await producer.stop()

        params = {"from": "2026-11-04", "to": "2026-11-04", "group_by": "member"}
        deadline = time.monotonic() + 30
        while True:
            rows = by_key(await report(billing, owner, **params))
            ended = await billing.sql(
                "SELECT 1 FROM usage_facts WHERE id = :id AND ended_at IS NOT NULL", id=session_id
            )
            if rows.get(str(technician), {}).get("member_name") and ended:
                break
            assert time.monotonic() < deadline, f"usage not consumed in time: {rows}"
            await asyncio.sleep(0.2)

    assert rows[str(technician)] == {
        "key": str(technician),
        "air_searches": 1,
        "air_documents": 1,
        "programming_sessions": 1,
        "programming_jobs": 1,
        "member_name": "T",
        "member_email": "t@k.example",
    }


async def test_a_malformed_event_on_kafka_does_not_hold_up_the_ones_behind_it(
    start_billing: Any, kafka_bootstrap_servers: str
) -> None:
    org = uuid.uuid4()
    broken = search(org, at=at(4, 9))
    broken.user_id = "not-a-uuid"
    good = search(org, at=at(4, 10))
    async with start_billing(run_background_workers=True) as billing:
        owner = Org(org, uuid.uuid4(), billing.issuer.token(organization_id=org))
        producer = new_producer(kafka_bootstrap_servers)
        await producer.start()
        try:
            # Same key, same partition: the good event waits behind the broken one.
            for message in (broken, good):
                await producer.send_and_wait(
                    billing.settings.topic("air.v1"),
                    value=message.SerializeToString(),
                    key=str(org).encode(),
                    headers=envelope(message, event_id=uuid.uuid4(), key=str(org)),
                )
        finally:
            await producer.stop()

        deadline = time.monotonic() + 30
        while not await billing.sql(
            "SELECT 1 FROM usage_facts WHERE id = :id", id=uuid.UUID(good.search_id)
        ):
            assert time.monotonic() < deadline, "the event behind a malformed one was not applied"
            await asyncio.sleep(0.2)
        day = by_key(await report(billing, owner, **{"from": "2026-11-04", "to": "2026-11-04"}))

    assert day["2026-11-04"]["air_searches"] == 1


async def test_a_vin_pass_beside_a_time_pass_counts_only_what_air_attributed_to_it(
    billing: Billing,
) -> None:
    org = billing.org()
    week = await set_window(billing, (await billing.buy(org, "AIR_1W"))["id"], at(5, 8), at(12, 8))
    car = await set_window(
        billing, (await billing.buy(org, "AIR_VIN_24H", vin=VIN))["id"], at(5, 9), at(6, 9)
    )
    by_car = search(org.id, at=at(5, 10))
    by_car.entitlement_id = car
    by_week = search(org.id, at=at(5, 11), vin="WBA5F3103MFX99999")
    by_week.entitlement_id = week
    await apply(billing.app.state.database, by_car, by_week)

    items = await passes(billing, org)

    assert items[car]["used_seconds"] == 900
    assert items[car]["vin"] == VIN
    assert items[week]["used_seconds"] == 900
    assert items[week]["vin"] is None
