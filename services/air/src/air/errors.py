"""Typed errors of the AIR service, rendered as problem+json by servicekit."""

from __future__ import annotations

from servicekit.problems import ConflictError, NotFoundError, ProblemError


class InvalidVinError(ProblemError):
    status = 422
    slug = "invalid-vin"
    title = "Invalid VIN"


class SearchCriteriaMissingError(ProblemError):
    status = 422
    slug = "search-criteria-missing"
    title = "Search needs a query or a VIN"


class InvalidQueryError(ProblemError):
    status = 422
    slug = "invalid-query"
    title = "Invalid search query"


class AirPassRequiredError(ProblemError):
    status = 403
    slug = "air-pass-required"
    title = "AIR pass required"


class DocumentNotFoundError(NotFoundError):
    slug = "document-not-found"
    title = "Document not found"


class VinNotCoveredError(ProblemError):
    status = 422
    slug = "vin-not-covered"
    title = "Vehicle not covered by this portal"


class InvalidFieldsError(ProblemError):
    """Fields that break a rule spanning fields or depending on the date; rendered like
    servicekit's validation problem (``errors`` names each field)."""

    status = 422
    slug = "validation-error"
    title = "Invalid request"


class WorkshopDetailsMissingError(ConflictError):
    slug = "workshop-details-missing"
    title = "Company details missing"


class ServiceEntryNotFoundError(NotFoundError):
    slug = "service-entry-not-found"
    title = "Service entry not found"


class ServiceEntryChangedError(ConflictError):
    slug = "service-entry-changed"
    title = "Service entry changed meanwhile"


class ServiceEntryFinalError(ConflictError):
    slug = "service-entry-final"
    title = "Service entry is final"


class ServiceEntryVoidedError(ConflictError):
    slug = "service-entry-voided"
    title = "Service entry is voided"


__all__ = [
    "AirPassRequiredError",
    "DocumentNotFoundError",
    "InvalidFieldsError",
    "InvalidQueryError",
    "InvalidVinError",
    "SearchCriteriaMissingError",
    "ServiceEntryChangedError",
    "ServiceEntryFinalError",
    "ServiceEntryNotFoundError",
    "ServiceEntryVoidedError",
    "VinNotCoveredError",
    "WorkshopDetailsMissingError",
]
