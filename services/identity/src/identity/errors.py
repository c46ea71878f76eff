"""Typed problems of the identity service (rendered as RFC 9457 problem+json)."""

from __future__ import annotations

from servicekit.problems import ConflictError, NotFoundError, ProblemError, UnauthorizedError

__all__ = [
    "AccountLockedError",
    "AccountNotFoundError",
    "EmailNotVerifiedError",
    "EnrolmentCodeInvalidError",
    "EnrolmentNotStartedError",
    "EnrolmentTokenInvalidError",
    "LoginFailedError",
    "RefreshTokenExpiredError",
    "RefreshTokenInvalidError",
    "RefreshTokenReusedError",
    "SigningKeyError",
    "TotpAlreadyEnabledError",
    "TotpCodeReusedError",
    "TotpEnrolmentRequiredError",
    "TotpInvalidError",
    "TotpRequiredError",
    "VerificationTokenExpiredError",
    "VerificationTokenInvalidError",
    "VerificationTokenUsedError",
]


class SigningKeyError(RuntimeError):
    """The token signing key cannot be loaded; the service must not start."""


class VerificationTokenInvalidError(ProblemError):
    status = 400
    slug = "verification-token-invalid"
    title = "Unknown verification token"


class VerificationTokenExpiredError(ProblemError):
    status = 410
    slug = "verification-token-expired"
    title = "Verification token expired"


class VerificationTokenUsedError(ConflictError):
    slug = "verification-token-used"
    title = "Verification token already used"


class LoginFailedError(UnauthorizedError):
    slug = "login-failed"
    title = "Login failed"


class AccountLockedError(ProblemError):
    status = 429
    slug = "account-locked"
    title = "Account temporarily locked"


class EmailNotVerifiedError(ProblemError):
    status = 403
    slug = "email-not-verified"
    title = "E-mail address not verified"


class TotpEnrolmentRequiredError(ProblemError):
    status = 403
    slug = "totp-enrolment-required"
    title = "Two-factor authentication must be set up"


class TotpRequiredError(UnauthorizedError):
    slug = "totp-required"
    title = "Authenticator code required"


class TotpInvalidError(UnauthorizedError):
    slug = "totp-invalid"
    title = "Authenticator code invalid"


class TotpCodeReusedError(UnauthorizedError):
    slug = "totp-code-reused"
    title = "Authenticator code already used"


class EnrolmentTokenInvalidError(UnauthorizedError):
    slug = "enrolment-token-invalid"
    title = "Invalid enrolment token"


class EnrolmentNotStartedError(ConflictError):
    slug = "enrolment-not-started"
    title = "Enrolment not started"


class EnrolmentCodeInvalidError(ProblemError):
    status = 422
    slug = "enrolment-code-invalid"
    title = "Authenticator code does not match"


class TotpAlreadyEnabledError(ConflictError):
    slug = "totp-already-enabled"
    title = "Two-factor authentication already set up"


class RefreshTokenInvalidError(UnauthorizedError):
    slug = "refresh-token-invalid"
    title = "Invalid refresh token"


class RefreshTokenExpiredError(UnauthorizedError):
    slug = "refresh-token-expired"
    title = "Refresh token expired"


class RefreshTokenReusedError(UnauthorizedError):
    slug = "refresh-token-reused"
    title = "Refresh token reused"


class AccountNotFoundError(NotFoundError):
    slug = "account-not-found"
    title = "Account not found"
