"""Request and response bodies. Input is validated by the domain rules, so a bad field gets a
422 problem naming the field and the rule."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from identity.domain.emails import normalize_email
from identity.domain.organizations import (
    FieldRuleError,
    check_vat_id_for_country,
    normalize_country,
    normalize_name,
    normalize_vat_id,
)
from identity.domain.passwords import check_password_policy

__all__ = [
    "EmailVerificationCreate",
    "EmailVerificationRead",
    "EmailVerificationResendCreate",
    "JwksRead",
    "LoginCreate",
    "MeRead",
    "OrganizationCreate",
    "OrganizationRead",
    "OrganizationRegistrationRead",
    "ResendAcceptedRead",
    "TokenRead",
    "TotpEnrolmentConfirmCreate",
    "TotpEnrolmentConfirmationRead",
    "TotpEnrolmentRead",
    "UserRead",
]

# Opaque tokens we issue are 43 characters; the bound only keeps junk input small.
_TOKEN_MAX = 512


class StrictInput(BaseModel):
    # Unknown fields are refused so that a typo ("pasword") is reported, not silently ignored.
    model_config = ConfigDict(extra="forbid")


def checked_vat_id(value: str, *, country: str | None) -> str:
    """The VAT id normalised, and matched against ``country`` when there is one (a refused or
    absent country leaves only its shape to check); a pydantic error when it is wrong."""
    try:
        vat_id = normalize_vat_id(value)
        if country is None:
            return vat_id
        return check_vat_id_for_country(vat_id, country=country)
    except FieldRuleError as error:
        raise field_error(error) from None


def field_error(error: FieldRuleError) -> PydanticCustomError:
    """The domain rule's violation as a pydantic error whose type is the rule's code, so the
    field error in the 422 problem carries that code and its params."""
    return PydanticCustomError(error.code, error.template, dict(error.params))


class OrganizationCreate(StrictInput):
    company_name: str = Field(max_length=1000, examples=["Muster Kfz-Service GmbH"])
    country: str = Field(max_length=100, description="ISO 3166-1 alpha-2", examples=["DE"])
    vat_id: str = Field(
        max_length=100,
        description=(
            "With the country's prefix (Greece: EL); an EU VAT id must pass its check digits"
        ),
        examples=["DE123456704"],
    )
    owner_name: str = Field(max_length=1000, examples=["Max Mustermann"])
    email: str = Field(max_length=1000, examples=["max@muster-kfz.example"])
    password: SecretStr = Field(description="12 to 128 characters")

    @field_validator("company_name")
    @classmethod
    def _company_name(cls, value: str) -> str:
        return normalize_name(value, what="company name")

    @field_validator("owner_name")
    @classmethod
    def _owner_name(cls, value: str) -> str:
        return normalize_name(value, what="owner name")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        try:
            return normalize_country(value)
        except FieldRuleError as error:
            raise field_error(error) from None

    @field_validator("vat_id")
    @classmethod
    def _vat_id(cls, value: str, info: ValidationInfo) -> str:
        # country is declared before vat_id, so it is validated first; when it was refused, the
        # VAT id is checked for its shape only (the country's own error says what to fix).
        return checked_vat_id(value, country=info.data.get("country"))

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        check_password_policy(value.get_secret_value())
        return value


class OrganizationRegistrationRead(BaseModel):
    organization_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    verification_email_sent: bool = Field(
        description="A verification mail is queued; it is delivered right after registration."
    )


class EmailVerificationCreate(StrictInput):
    token: str = Field(min_length=1, max_length=_TOKEN_MAX)


class EmailVerificationRead(BaseModel):
    user_id: uuid.UUID
    email: str
    email_verified: bool


class EmailVerificationResendCreate(StrictInput):
    email: str = Field(max_length=1000)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class ResendAcceptedRead(BaseModel):
    detail: str


class LoginCreate(StrictInput):
    email: str = Field(max_length=1000)
    password: SecretStr = Field(max_length=1024)
    totp_code: str | None = Field(
        default=None,
        max_length=64,
        description="The 6-digit authenticator code, or one of the recovery codes.",
    )


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_expires_in: int = Field(
        description="Seconds until the refresh token (in the HttpOnly cookie) expires"
    )


class TotpEnrolmentRead(BaseModel):
    secret: str = Field(description="Base32 secret, for typing into an authenticator app")
    otpauth_uri: str
    qr_svg: str = Field(description="The otpauth URI as an inline SVG QR code")


class TotpEnrolmentConfirmCreate(StrictInput):
    code: str = Field(min_length=1, max_length=16)


class TotpEnrolmentConfirmationRead(BaseModel):
    totp_enabled: bool
    recovery_codes: list[str] = Field(
        description="One-time codes that replace an authenticator code; shown only now."
    )


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: str
    email_verified: bool
    totp_enabled: bool


class OrganizationRead(BaseModel):
    id: uuid.UUID
    name: str
    country: str
    vat_id: str


class MeRead(BaseModel):
    user: UserRead
    organization: OrganizationRead


class JwksRead(BaseModel):
    keys: list[dict[str, str]]
