"""Request and response bodies of account self-service (passwords, e-mail, recovery codes,
logins). New passwords follow the domain's policy; a bad field is a 422 problem naming it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field, SecretStr, field_validator

from identity.api.schemas import StrictInput
from identity.domain.emails import normalize_email
from identity.domain.passwords import check_password_policy

__all__ = [
    "AcceptedRead",
    "EmailChangeConfirmCreate",
    "EmailChangeCreate",
    "EmailChangeRead",
    "LoginSessionList",
    "LoginSessionRead",
    "LoginSessionsRevokeCreate",
    "LoginSessionsRevokedRead",
    "PasswordChangeCreate",
    "PasswordResetConfirmCreate",
    "PasswordResetCreate",
    "RecoveryCodesCreate",
    "RecoveryCodesRead",
    "TotpResetCreate",
    "TotpResetRead",
]

_TOKEN_MAX = 512
_CODE_MAX = 64


def _new_password(value: SecretStr) -> SecretStr:
    check_password_policy(value.get_secret_value())
    return value


class AcceptedRead(BaseModel):
    detail: str


class PasswordResetCreate(StrictInput):
    email: str = Field(max_length=1000, examples=["max@muster-kfz.example"])

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class PasswordResetConfirmCreate(StrictInput):
    token: str = Field(
        min_length=1, max_length=_TOKEN_MAX, description="The token of the mailed link"
    )
    password: SecretStr = Field(description="The new password: 12 to 128 characters")

    @field_validator("password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        return _new_password(value)


class PasswordChangeCreate(StrictInput):
    current_password: SecretStr = Field(max_length=1024)
    totp_code: str = Field(
        min_length=1,
        max_length=_CODE_MAX,
        description="The current authenticator code, or an unused recovery code",
    )
    new_password: SecretStr = Field(description="12 to 128 characters")

    @field_validator("new_password")
    @classmethod
    def _password(cls, value: SecretStr) -> SecretStr:
        return _new_password(value)


class EmailChangeCreate(StrictInput):
    new_email: str = Field(max_length=1000)
    password: SecretStr = Field(max_length=1024)
    totp_code: str = Field(min_length=1, max_length=_CODE_MAX)

    @field_validator("new_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)


class EmailChangeConfirmCreate(StrictInput):
    token: str = Field(min_length=1, max_length=_TOKEN_MAX)


class EmailChangeRead(BaseModel):
    user_id: uuid.UUID
    email: str


class RecoveryCodesCreate(StrictInput):
    password: SecretStr = Field(max_length=1024)
    totp_code: str = Field(min_length=1, max_length=_CODE_MAX)


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str] = Field(
        description="The new one-time codes; the old ones no longer work. Shown only now."
    )


class TotpResetCreate(StrictInput):
    email: str = Field(max_length=1000)
    password: SecretStr = Field(max_length=1024)
    recovery_code: str = Field(min_length=1, max_length=_CODE_MAX)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return value.strip().lower()


class TotpResetRead(BaseModel):
    enrolment_token: str = Field(
        description="Send as 'Authorization: Bearer <enrolment_token>' to POST /totp/enrolment "
        "and POST /totp/enrolment/confirm to set up the new authenticator."
    )
    enrolment_expires_in: int = Field(description="Seconds the enrolment token stays valid")


class LoginSessionRead(BaseModel):
    id: uuid.UUID
    device: str = Field(examples=["iPhone (iOS 17)"])
    browser: str = Field(examples=["Mobile Safari 17"])
    ip: str = Field(description="The client address at login or at the last refresh")
    created_at: datetime
    last_used_at: datetime
    current: bool = Field(description="The login this request's access token belongs to")


class LoginSessionList(BaseModel):
    items: list[LoginSessionRead]


class LoginSessionsRevokeCreate(StrictInput):
    include_current: bool = Field(
        default=False, description="Also end the login this request comes from"
    )


class LoginSessionsRevokedRead(BaseModel):
    revoked: int = Field(description="How many logins were ended")
