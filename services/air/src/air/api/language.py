"""The caller's content language: ``lang`` if given, else Accept-Language, else English."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Query

from air.domain.content import Language

LangQuery = Annotated[
    Language | None,
    Query(
        description=(
            "Content language: en or de. Without it the first language of Accept-Language "
            "that AIR has, else en"
        )
    ),
]
AcceptLanguageHeader = Annotated[
    str | None, Header(alias="Accept-Language", include_in_schema=False)
]
# Longest Accept-Language header read; browsers send a few dozen characters.
_MAX_HEADER = 500


def _weight(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def preferred_language(accept_language: str | None) -> Language | None:
    """The first language of an Accept-Language header (RFC 9110: by weight, then order) that
    AIR has content in; None when it names none ("de-AT" counts as "de", q=0 as refused)."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, Language]] = []
    for index, item in enumerate(accept_language[:_MAX_HEADER].split(",")):
        tag, *parameters = item.split(";")
        primary = tag.strip().split("-")[0].lower()
        weight = _weight(parameters)
        if weight <= 0:
            continue
        try:
            ranked.append((-weight, index, Language(primary)))
        except ValueError:
            continue
    return min(ranked)[2] if ranked else None


def caller_language(lang: Language | None, accept_language: str | None) -> Language:
    """``lang`` when given, else the preferred language of the header, else English."""
    return lang or preferred_language(accept_language) or Language.EN


__all__ = ["AcceptLanguageHeader", "LangQuery", "caller_language", "preferred_language"]
