"""Typed errors of the programming service, rendered as problem+json by servicekit."""

from __future__ import annotations

from servicekit.problems import ConflictError, NotFoundError, ProblemError

__all__ = [
    "AgentBuildNotFoundError",
    "AgentNotFoundError",
    "AgentOfflineError",
    "AgentTimeoutError",
    "DownloadNotAuthorizedError",
    "EcuTypeNotFoundError",
    "InvalidCanIdsError",
    "InvalidPairingCodeError",
    "InvalidRangeError",
    "InvalidVinError",
    "PreflightNotConfirmedError",
    "ProgrammingPassRequiredError",
    "ReleaseNotFoundError",
    "SessionNotFoundError",
    "SessionStateError",
    "UnknownVehicleError",
    "VinMismatchError",
]


class InvalidPairingCodeError(ProblemError):
    status = 400
    slug = "invalid-pairing-code"
    title = "Invalid pairing code"


class AgentBuildNotFoundError(NotFoundError):
    slug = "agent-build-not-found"
    title = "Agent build not found"


class AgentNotFoundError(NotFoundError):
    slug = "agent-not-found"
    title = "Agent not found"


class AgentOfflineError(ConflictError):
    slug = "agent-offline"
    title = "Agent offline"


class AgentTimeoutError(ProblemError):
    status = 504
    slug = "agent-timeout"
    title = "Agent did not answer"


class ReleaseNotFoundError(NotFoundError):
    slug = "release-not-found"
    title = "Release not found"


class InvalidRangeError(ProblemError):
    status = 416
    slug = "range-not-satisfiable"
    title = "Range not satisfiable"


class DownloadNotAuthorizedError(ProblemError):
    status = 401
    slug = "download-not-authorized"
    title = "Download not authorised"


class SessionNotFoundError(NotFoundError):
    slug = "session-not-found"
    title = "Session not found"


class SessionStateError(ConflictError):
    slug = "session-state"
    title = "Not possible in the session's state"


class ProgrammingPassRequiredError(ProblemError):
    status = 403
    slug = "programming-pass-required"
    title = "Programming pass required"


class InvalidVinError(ProblemError):
    status = 422
    slug = "invalid-vin"
    title = "Invalid VIN"


class UnknownVehicleError(ProblemError):
    status = 422
    slug = "unknown-vehicle"
    title = "Vehicle not in the programming catalog"


class VinMismatchError(ConflictError):
    slug = "vin-mismatch"
    title = "Connected vehicle has another VIN"


class EcuTypeNotFoundError(NotFoundError):
    slug = "ecu-type-not-found"
    title = "ECU type not found"


class InvalidCanIdsError(ProblemError):
    status = 422
    slug = "invalid-can-ids"
    title = "Invalid CAN ids"


class PreflightNotConfirmedError(ProblemError):
    status = 422
    slug = "preflight-not-confirmed"
    title = "Pre-flight checklist not confirmed"
