"""Dependencies shared by billing's endpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Header, Request

from billing.config import Settings
from billing.domain.idempotency import (
    IDEMPOTENCY_HEADER,
    MAX_KEY_LENGTH,
    InvalidIdempotencyKey,
    MissingIdempotencyKey,
    validate_idempotency_key,
)
from billing.errors import IdempotencyKeyInvalidError, IdempotencyKeyMissingError
from billing.providers.base import PaymentProvider
from billing.services.checkout import SellerTerms
from billing.services.refunds import RefundPolicy
from servicekit.auth import Principal
from servicekit.roles import ALL_ROLES, Role, role_check

__all__ = [
    "Buyer",
    "IdempotencyKeyDep",
    "Manager",
    "Member",
    "PaymentProviderDep",
    "RefundPolicyDep",
    "SellerTermsDep",
    "SettingsDep",
]

# Who may buy and see what was bought: purchases belong to the office (admin, accountant),
# never to a technician.
Buyer = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN, Role.ACCOUNTANT))]
# Who may cancel a pass: the organisation's managers (taking money back is theirs).
Manager = Annotated[Principal, Depends(role_check(Role.OWNER, Role.ADMIN))]
# Every member: a technician must see whether a pass is active, an accountant what is used.
Member = Annotated[Principal, Depends(role_check(*ALL_ROLES))]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _payment_provider(request: Request) -> PaymentProvider:
    provider: PaymentProvider = request.app.state.payment_provider
    return provider


def _idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description=(
                f"Required. 1..{MAX_KEY_LENGTH} visible ASCII characters, unique per purchase "
                "(a UUID is a good choice). Repeating a request with the same key returns the "
                "first answer (with `Idempotent-Replayed: true`) instead of buying twice. A key "
                "is kept for 24 hours (BILLING_IDEMPOTENCY_RETENTION_HOURS)."
            ),
        ),
    ] = None,
) -> str:
    try:
        return validate_idempotency_key(key)
    except MissingIdempotencyKey as exc:
        raise IdempotencyKeyMissingError(
            f"Send an {IDEMPOTENCY_HEADER} header (for example a new UUID) with every purchase "
            "request, and the same one when you retry it.",
        ) from exc
    except InvalidIdempotencyKey as exc:
        raise IdempotencyKeyInvalidError(
            f"The {IDEMPOTENCY_HEADER} header is not usable: {exc}. Use 1..{MAX_KEY_LENGTH} "
            "visible ASCII characters, for example a UUID.",
        ) from exc


def _seller_terms(request: Request) -> SellerTerms:
    settings = _settings(request)
    return SellerTerms(
        seller_country=settings.seller_country,
        terms_version=settings.terms_version,
        terms_url=settings.terms_url,
        reservation=timedelta(minutes=settings.stock_reservation_minutes),
    )


def _refund_policy(request: Request) -> RefundPolicy:
    settings = _settings(request)
    return RefundPolicy(
        period=timedelta(hours=settings.refund_period_hours),
    )


SettingsDep = Annotated[Settings, Depends(_settings)]
SellerTermsDep = Annotated[SellerTerms, Depends(_seller_terms)]
RefundPolicyDep = Annotated[RefundPolicy, Depends(_refund_policy)]
PaymentProviderDep = Annotated[PaymentProvider, Depends(_payment_provider)]
IdempotencyKeyDep = Annotated[str, Depends(_idempotency_key)]
