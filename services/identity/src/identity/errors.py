"""Typed problems of the identity service (rendered as RFC 9457 problem+json)."""

from __future__ import annotations

from servicekit.problems import ConflictError, NotFoundError, ProblemError, UnauthorizedError

__all__ = [
    "AccountLockedError",
    "AccountNotFoundError",
    "CsrfCheckFailedError",
    "EmailChangeTokenExpiredError",
    "EmailChangeTokenInvalidError",
    "EmailChangeTokenUsedError",
    "EmailNotVerifiedError",
    "EmailTakenError",
    "EmailUnchangedError",
    "EnrolmentCodeInvalidError",
    "EnrolmentNotStartedError",
    "EnrolmentTokenInvalidError",
    "LoginFailedError",
    "PasswordResetTokenExpiredError",
    "PasswordResetTokenInvalidError",
    "PasswordResetTokenUsedError",
    "ReauthenticationFailedError",
    "RefreshTokenExpiredError",
    "RefreshTokenInvalidError",
    "RefreshTokenReusedError",
    "SessionNotFoundError",
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


class PasswordResetTokenInvalidError(ProblemError):
    status = 400
    slug = "password-reset-token-invalid"
    title = "Unknown password reset link"


class PasswordResetTokenExpiredError(ProblemError):
    status = 410
    slug = "password-reset-token-expired"
    title = "Password reset link expired"


class PasswordResetTokenUsedError(ConflictError):
    slug = "password-reset-token-used"
    title = "Password reset link already used"


class EmailChangeTokenInvalidError(ProblemError):
    status = 400
    slug = "email-change-token-invalid"
    title = "Unknown e-mail change link"


class EmailChangeTokenExpiredError(ProblemError):
    status = 410
    slug = "email-change-token-expired"
    title = "E-mail change link expired"


class EmailChangeTokenUsedError(ConflictError):
    slug = "email-change-token-used"
    title = "E-mail change link already used"


class EmailTakenError(ConflictError):
    slug = "email-taken"
    title = "E-mail address taken"


class EmailUnchangedError(ProblemError):
    status = 422
    slug = "email-unchanged"
    title = "This is already your e-mail address"


class ReauthenticationFailedError(ProblemError):
    """A signed-in user's password or authenticator code did not match.

    403, not 401: the access token is fine, and a 401 would make clients log the user out."""

    status = 403
    slug = "reauthentication-failed"
    title = "Password or authenticator code wrong"


class SessionNotFoundError(NotFoundError):
    slug = "session-not-found"
    title = "Login not found"


class CsrfCheckFailedError(ProblemError):
    status = 403
    slug = "csrf-check-failed"
    title = "Cross-site request refused"
