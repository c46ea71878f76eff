"""Request and response bodies of members, invitations and the company profile."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator

from identity.api.schemas import StrictInput, checked_vat_id, field_error
from identity.domain.emails import normalize_email
from identity.domain.members import InvitationState
from identity.domain.organizations import (
    FieldRuleError,
    normalize_country,
    normalize_name,
)
from identity.domain.passwords import check_password_policy
from servicekit.roles import Role

__all__ = [
    "CompanyProfileRead",
    "CompanyProfileUpdate",
    "InvitationAcceptCreate",
    "InvitationAcceptanceRead",
    "InvitationCreate",
    "InvitationList",
    "InvitationPreviewRead",
    "InvitationRead",
    "InvitationTokenCreate",
    "MemberList",
    "MemberRead",
    "MemberUpdate",
    "OrganizationCloseCreate",
    "OrganizationClosedRead",
]

_POSTCODE_MAX = 20


class InvitationCreate(StrictInput):
    email: str = Field(max_length=1000, examples=["anna@muster-kfz.example"])
    role: Role = Field(description="Only an owner may invite an owner", examples=["technician"])

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class InvitationRead(BaseModel):
    id: uuid.UUID
    email: str
    role: Role
    state: InvitationState
    invited_by: uuid.UUID | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class InvitationList(BaseModel):
    items: list[InvitationRead]


class InvitationPreviewRead(BaseModel):
    organization_name: str
    email: str
    role: Role
    expires_at: datetime


class InvitationTokenCreate(StrictInput):
    # The opaque tokens we issue are 43 characters; the bound only keeps junk input small.
    token: str = Field(min_length=1, max_length=512, description="The token of the invitation link")


class InvitationAcceptCreate(InvitationTokenCreate):
    name: str = Field(max_length=1000, examples=["Anna Schrauber"])
    password: SecretStr = Field(description="12 to 128 characters")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return normalize_name(value, what="name")

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        check_password_policy(value.get_secret_value())
        return value


class InvitationAcceptanceRead(BaseModel):
    """The account exists; TOTP is set up next, as after a first login (POST /totp/enrolment
    with ``Authorization: Bearer <enrolment_token>``, then /totp/enrolment/confirm)."""

    user_id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    enrolment_token: str
    enrolment_expires_in: int = Field(description="Seconds until the enrolment token expires")


class MemberRead(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    role: Role
    totp_enabled: bool = Field(description="Two-factor authentication is set up")
    last_login_at: datetime | None
    active: bool
    deactivated_at: datetime | None


class MemberList(BaseModel):
    items: list[MemberRead]


class MemberUpdate(StrictInput):
    role: Role = Field(description="Only an owner may give or take away the owner role")


class CompanyProfileRead(BaseModel):
    id: uuid.UUID
    legal_name: str
    street: str | None
    postcode: str | None
    city: str | None
    country: str = Field(description="ISO 3166-1 alpha-2")
    vat_id: str
    invoice_email: str | None


class CompanyProfileUpdate(StrictInput):
    """Fields left out stay as they are; ``null`` clears an address field."""

    legal_name: str | None = Field(default=None, max_length=1000)
    street: str | None = Field(default=None, max_length=1000)
    postcode: str | None = Field(default=None, max_length=1000)
    city: str | None = Field(default=None, max_length=1000)
    country: str | None = Field(default=None, max_length=100, description="ISO 3166-1 alpha-2")
    vat_id: str | None = Field(
        default=None,
        max_length=100,
        description="Checked against the country (the new one, or the stored one)",
    )
    invoice_email: str | None = Field(default=None, max_length=1000)

    @field_validator("legal_name", "country", "vat_id", mode="before")
    @classmethod
    def _required_if_sent(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            raise ValueError(f"{info.field_name} cannot be cleared; leave it out to keep it")
        return value

    @field_validator("legal_name")
    @classmethod
    def _legal_name(cls, value: str | None) -> str | None:
        return None if value is None else normalize_name(value, what="legal name")

    @field_validator("street", "city")
    @classmethod
    def _address_line(cls, value: str | None, info: ValidationInfo) -> str | None:
        return None if value is None else normalize_name(value, what=str(info.field_name))

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None:
            return None
        postcode = normalize_name(value, what="postcode")
        if len(postcode) > _POSTCODE_MAX:
            raise ValueError(f"the postcode must have at most {_POSTCODE_MAX} characters")
        return postcode

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_country(value)
        except FieldRuleError as error:
            raise field_error(error) from None

    @field_validator("vat_id")
    @classmethod
    def _vat_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        # Without a new country, the service checks it against the stored one.
        return checked_vat_id(value, country=info.data.get("country"))

    @field_validator("invoice_email")
    @classmethod
    def _invoice_email(cls, value: str | None) -> str | None:
        return None if value is None else normalize_email(value)


class OrganizationCloseCreate(StrictInput):
    password: SecretStr = Field(max_length=1024)
    totp_code: str = Field(min_length=1, max_length=16, description="The current 6-digit code")


class OrganizationClosedRead(BaseModel):
    id: uuid.UUID
    closed_at: datetime
