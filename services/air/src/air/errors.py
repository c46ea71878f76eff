"""Typed errors of the AIR service, rendered as problem+json by servicekit."""

from __future__ import annotations

from servicekit.problems import NotFoundError, ProblemError


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


__all__ = [
    "AirPassRequiredError",
    "DocumentNotFoundError",
    "InvalidQueryError",
    "InvalidVinError",
    "SearchCriteriaMissingError",
]
