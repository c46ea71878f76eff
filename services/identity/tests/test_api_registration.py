"""POST /organizations: registration, its mail and its events (real PostgreSQL, SMTP sink)."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import FastAPI
from sqlalchemy import select, text

from aos.events.v1 import identity_pb2
from identity.db.mail import OutgoingMailRepository
from identity.mailsink import MailSink, extract_verification_token, message_text
from servicekit.outbox import outbox_table


async def test_registration_answers_201_with_ids_and_mail_sent(client, mail_sink) -> None:
    response = await client.post(
        "/organizations",
        json={
            "company_name": "  Muster Kfz-Service GmbH ",
            "country": "de",
            "vat_id": "de 123 456 704",
            "owner_name": "Max Mustermann",
            "email": "Max@Muster-Kfz.Example",
            "password": "correct horse battery staple",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    uuid.UUID(body["organization_id"])
    uuid.UUID(body["user_id"])
    assert body["email"] == "max@muster-kfz.example"
    assert body["verification_email_sent"] is True


async def test_registration_sends_a_verification_mail_with_link_and_token(
    identity, mail_sink: MailSink
) -> None:
    account = await identity.register()
    mail = await mail_sink.wait_for(recipient=account.email)
    token = extract_verification_token(mail.message)
    body = message_text(mail.message)
    assert mail.recipients == (account.email,)
    assert mail.message["From"] == "AOS <no-reply@aos.example>"
    assert f"http://portal.test/verify-email?token={token}" in body
    assert f"Verification code: {token}" in body


async def test_registration_stores_the_verification_token_only_hashed(
    identity, app: FastAPI
) -> None:
    account = await identity.register()
    token = await identity.verification_token(account.email)
    async with app.state.database.transaction() as session:
        stored = (await session.execute(text("SELECT token_hash FROM user_tokens"))).scalars()
        hashes = list(stored)
    assert len(hashes) == 1
    assert hashes[0] != token
    assert len(hashes[0]) == 64


async def test_delivered_mail_body_is_erased_from_the_queue(identity, app: FastAPI) -> None:
    account = await identity.register()
    await identity.verification_token(account.email)
    for _ in range(50):  # the sender marks the row right after the SMTP hand-over
        async with app.state.database.transaction() as session:
            row = (
                await session.execute(text("SELECT status, body, sent_at FROM outgoing_mail"))
            ).one()
        if row.status == "sent":
            break
        await asyncio.sleep(0.05)
    assert row.status == "sent"
    assert row.body is None
    assert row.sent_at is not None


async def test_a_taken_email_answers_like_a_new_registration_and_mails_the_owner(
    identity, client, app: FastAPI, mail_sink: MailSink
) -> None:
    taken = await identity.register(email="dup@workshop.example")
    registration = {
        "company_name": "Another GmbH",
        "country": "AT",
        "vat_id": "ATU12345602",
        "owner_name": "Eva Muster",
        "password": "another long passphrase",
    }

    again = await client.post(
        "/organizations", json=registration | {"email": "DUP@workshop.example"}
    )
    new = await client.post("/organizations", json=registration | {"email": "new@w.example"})

    # Same status, same fields, same kinds of values: nothing tells the two apart.
    assert again.status_code == new.status_code == 201
    assert again.headers["content-type"] == new.headers["content-type"]
    again_body, new_body = again.json(), new.json()
    assert again_body.keys() == new_body.keys()
    assert again_body["email"] == taken.email
    assert again_body["verification_email_sent"] is new_body["verification_email_sent"] is True
    uuid.UUID(again_body["organization_id"]), uuid.UUID(again_body["user_id"])
    assert again_body["organization_id"] != str(taken.organization_id)
    assert again_body["user_id"] != str(taken.user_id)
    async with app.state.database.transaction() as session:
        organizations = (await session.execute(text("SELECT name FROM organizations"))).scalars()
        assert sorted(organizations) == ["Another GmbH", "Muster Kfz-Service GmbH"]
        mails = await OutgoingMailRepository(session).list_for_recipient(taken.email)
    # The owner's mails: the verification of the first registration, then the warning; no
    # second verification mail, nothing for the stranger.
    assert [mail.subject for mail in mails] == [
        "Confirm your e-mail address for AOS",
        "Someone tried to register with your e-mail address",
    ]
    # Its text, as delivered (the queue forgets bodies once sent).
    warning = message_text((await mail_sink.wait_for(recipient=taken.email, count=2)).message)
    assert "Hello Max Mustermann" in warning
    assert "no new account was created" in warning
    assert "http://portal.test/login" in warning


async def test_registration_records_both_events_in_the_outbox(
    identity, app: FastAPI, topic_namespace: str
) -> None:
    account = await identity.register(company_name="Outbox Werkstatt", country="FR")
    async with app.state.database.transaction() as session:
        rows = (await session.execute(select(outbox_table).order_by(outbox_table.c.id))).all()
    assert [row.event_type for row in rows] == [
        "aos.events.v1.OrganizationRegistered",
        "aos.events.v1.UserRegistered",
    ]
    assert {row.topic for row in rows} == {"identity.v1"}
    assert {row.aggregate_id for row in rows} == {str(account.organization_id)}
    organization = identity_pb2.OrganizationRegistered.FromString(rows[0].payload)
    assert organization.organization_id == str(account.organization_id)
    assert organization.name == "Outbox Werkstatt"
    assert organization.country == "FR"
    assert organization.vat_id == "FR40303265045"
    assert organization.registered_at.seconds > 0
    user = identity_pb2.UserRegistered.FromString(rows[1].payload)
    assert user.user_id == str(account.user_id)
    assert user.organization_id == str(account.organization_id)
    assert user.email == account.email
    assert user.role == "owner"
    assert user.name == "Max Mustermann"


async def test_registration_with_a_taken_email_leaves_no_rows_and_only_the_owners_mail(
    identity, client, app: FastAPI, mail_sink: MailSink
) -> None:
    await identity.register(email="first@workshop.example")
    await mail_sink.wait_for(recipient="first@workshop.example")
    await client.post(
        "/organizations",
        json={
            "company_name": "Second GmbH",
            "country": "DE",
            "vat_id": "DE999999903",
            "owner_name": "Second Owner",
            "email": "first@workshop.example",
            "password": "another long passphrase",
        },
    )
    async with app.state.database.transaction() as session:
        counts = (
            await session.execute(
                text(
                    "SELECT (SELECT count(*) FROM organizations) AS orgs,"
                    " (SELECT count(*) FROM outbox) AS events,"
                    " (SELECT count(*) FROM outgoing_mail) AS mails"
                )
            )
        ).one()
        recipients = (await session.execute(text("SELECT recipient FROM outgoing_mail"))).scalars()
        assert list(recipients) == ["first@workshop.example"] * 2
    assert (counts.orgs, counts.events, counts.mails) == (1, 2, 2)
