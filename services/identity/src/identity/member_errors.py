"""Typed problems of members, invitations and the company profile (RFC 9457 problem+json).

Kept apart from :mod:`identity.errors` (login and tokens) so each stays small; the codes are
stable, clients translate by them.
"""

from __future__ import annotations

from servicekit.problems import ConflictError, ForbiddenError, NotFoundError, ProblemError

__all__ = [
    "AccountDeactivatedError",
    "CloseConfirmationError",
    "EmailTakenError",
    "InvitationExpiredError",
    "InvitationNotFoundError",
    "InvitationPendingError",
    "InvitationRevokedError",
    "InvitationUsedError",
    "LastOwnerError",
    "MemberNotFoundError",
    "OrganizationClosedError",
    "OwnerRoleRequiredError",
    "ProfileInvalidError",
]


class AccountDeactivatedError(ForbiddenError):
    slug = "account-deactivated"
    title = "Account deactivated"


class MemberNotFoundError(NotFoundError):
    slug = "member-not-found"
    title = "Member not found"


class InvitationNotFoundError(NotFoundError):
    slug = "invitation-not-found"
    title = "Invitation not found"


class InvitationUsedError(ProblemError):
    status = 410
    slug = "invitation-used"
    title = "Invitation already accepted"


class InvitationExpiredError(ProblemError):
    status = 410
    slug = "invitation-expired"
    title = "Invitation expired"


class InvitationRevokedError(ProblemError):
    status = 410
    slug = "invitation-revoked"
    title = "Invitation revoked"


class EmailTakenError(ConflictError):
    slug = "email-taken"
    title = "E-mail address already has an account"


class InvitationPendingError(ConflictError):
    slug = "invitation-pending"
    title = "Invitation already pending"


class LastOwnerError(ConflictError):
    slug = "last-owner"
    title = "The last active owner cannot go"


class OwnerRoleRequiredError(ForbiddenError):
    slug = "owner-required"
    title = "Only an owner may do this"


class OrganizationClosedError(ConflictError):
    slug = "organization-closed"
    title = "Organisation closed"


class CloseConfirmationError(ProblemError):
    status = 403
    slug = "close-confirmation-failed"
    title = "Password or authenticator code wrong"


class ProfileInvalidError(ProblemError):
    """A company profile change that breaks a rule only visible together with the stored
    profile (a new VAT id against the stored country); the body lists ``errors`` like a 422
    validation problem."""

    status = 422
    slug = "validation-error"
    title = "Invalid request"
