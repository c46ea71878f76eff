"""ORM models of the identity database.

Secrets handed to users (verification and enrolment tokens, refresh tokens, recovery codes) are
stored only as SHA-256 hex digests; passwords as argon2id hashes. The TOTP secret must stay
readable to check codes, so it is sealed with envelope encryption (services/totp_secrets.py):
a copy of the database alone does not give it away.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from servicekit.db import new_metadata
from servicekit.mail import QueuedMailColumns

__all__ = [
    "Base",
    "Invitation",
    "LoginSession",
    "Organization",
    "OutgoingMail",
    "RecoveryCode",
    "RefreshToken",
    "User",
    "UserToken",
    "UserTokenPurpose",
]


class Base(DeclarativeBase):
    metadata = new_metadata()


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    vat_id: Mapped[str] = mapped_column(String(15), nullable=False)
    # The company profile's postal address and invoice address (billing prints them).
    street: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    invoice_email: Mapped[str | None] = mapped_column(Text)
    # Set when the owner closed the organisation; its members' personal data is erased then.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()

    users: Mapped[list[User]] = relationship(back_populates="organization", lazy="raise")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('owner', 'admin', 'technician', 'accountant')", name="role_known"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Always stored lower-case (see domain.emails), so a plain unique index is enough.
    email: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    # None once the member was removed or the organisation closed (personal data erased).
    password_hash: Mapped[str | None] = mapped_column(Text)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sealed (servicekit.envelope); read and written through services.totp_secrets only.
    totp_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The sealed secret of an enrolment that is started but not yet confirmed.
    totp_pending_secret_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The last RFC 6238 time step accepted for this user; codes of it or earlier are refused.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A deactivated member cannot log in or refresh; an owner or admin may reactivate them.
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A removed member's row stays, anonymised, for what still refers to it (invitations).
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()

    organization: Mapped[Organization] = relationship(back_populates="users", lazy="raise")

    @property
    def active(self) -> bool:
        return self.deactivated_at is None and self.removed_at is None

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and self.totp_secret_sealed is not None


class LoginThrottle(Base):
    """Failed logins to one account from one client (its address, as the gateway saw it).

    Keyed on both, so that failures from one client pause only that client: a stranger cannot
    lock the owner out (see domain.lockout).
    """

    __tablename__ = "login_throttles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    client: Mapped[str] = mapped_column(Text, primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, nullable=False)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class UserTokenPurpose:
    """What a :class:`UserToken` may be used for; a token is only ever good for one purpose."""

    EMAIL_VERIFICATION = "email_verification"
    TOTP_ENROLMENT = "totp_enrolment"
    PASSWORD_RESET = "password_reset"
    # Confirms ``UserToken.new_email``: sent to that new address.
    EMAIL_CHANGE = "email_change"
    # Lets a user who proved a recovery code enrol a new authenticator although TOTP is on.
    TOTP_RESET = "totp_reset"


class UserToken(Base):
    """A short-lived single-purpose token sent to or handed to a user."""

    __tablename__ = "user_tokens"
    __table_args__ = (
        CheckConstraint(
            "purpose IN ('email_verification', 'totp_enrolment', 'password_reset', "
            "'email_change', 'totp_reset')",
            name="purpose_known",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The address an EMAIL_CHANGE token confirms (lower-case); None for other purposes.
    new_email: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()


class RecoveryCode(Base):
    """One of the one-time codes that replace a TOTP code when the phone is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()


class RefreshToken(Base):
    """An opaque refresh token; rotation keeps a family so a replay can revoke all of it."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()


class Invitation(Base):
    """An invitation by e-mail to join an organisation with a role; its link works once.

    Its state follows from the times: accepted, revoked, expired (``expires_at`` passed), or
    pending. A resend replaces the token (and the old link dies with its hash).
    """

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(
            "role IN ('owner', 'admin', 'technician', 'accountant')", name="role_known"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created_at()


class LoginSession(Base):
    """One login: the refresh-token family of the same id, and where it came from.

    ``device`` and ``browser`` are parsed from the User-Agent at login (domain.user_agents),
    ``ip`` is the client address the gateway passed; ``ended_at`` is set by a logout, a
    revocation, or a detected refresh-token reuse.
    """

    __tablename__ = "login_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    device: Mapped[str] = mapped_column(Text, nullable=False)
    browser: Mapped[str] = mapped_column(Text, nullable=False)
    ip: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutgoingMail(QueuedMailColumns, Base):
    """A mail written in the request's transaction and delivered by the sender after commit
    (servicekit.mail; the delivery columns come from QueuedMailColumns).

    ``body`` is cleared once the mail is delivered: it may contain a verification token, which
    must not outlive its delivery in plain text.
    """

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_known"),
        Index(
            "ix_outgoing_mail_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    subject: Mapped[str] = mapped_column(Text, nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
