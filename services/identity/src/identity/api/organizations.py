"""POST /organizations: a workshop registers itself and its owner (public)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, status

from identity.api.deps import SettingsDep, wake_mail_sender
from identity.api.schemas import OrganizationCreate, OrganizationRegistrationRead
from identity.services.registration import Registration, register_organization
from servicekit.db import SessionDep

router = APIRouter(tags=["registration"])


@router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    summary="Register a workshop organisation with its owner",
    description=(
        "Answers alike whether or not the e-mail address already has an account, so that it "
        "cannot be used to find out who is registered; an existing account's owner gets a mail "
        "saying someone tried, and nothing is created."
    ),
    dependencies=[Depends(wake_mail_sender)],
)
async def create_organization(
    body: OrganizationCreate, session: SessionDep, settings: SettingsDep
) -> OrganizationRegistrationRead:
    result = await register_organization(
        session,
        Registration(
            company_name=body.company_name,
            country=body.country,
            vat_id=body.vat_id,
            owner_name=body.owner_name,
            email=body.email,
            password=body.password.get_secret_value(),
        ),
        settings=settings,
        now=datetime.now(UTC),
    )
    return OrganizationRegistrationRead(
        organization_id=result.organization_id,
        user_id=result.user_id,
        email=result.email,
        verification_email_sent=True,
    )
