"""POST /organizations: a workshop registers itself and its owner (public)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, status

from identity.api.deps import SettingsDep, wake_mail_sender
from identity.api.schemas import OrganizationCreate, OrganizationRegistrationRead
from identity.errors import EmailTakenError
from identity.services.registration import Registration, register_organization
from servicekit.db import SessionDep
from servicekit.problems import problem_responses

router = APIRouter(tags=["registration"])


@router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    summary="Register a workshop organisation with its owner",
    responses=problem_responses(EmailTakenError),
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
