"""HTTP endpoints of billing."""

from fastapi import APIRouter

from billing.api.catalog import router as catalog_router
from billing.api.checkout import router as checkout_router
from billing.api.entitlements import router as entitlements_router
from billing.api.invoices import router as invoices_router
from billing.api.notifications import router as notifications_router
from billing.api.orders import router as orders_router
from billing.api.payments import router as payments_router
from billing.api.usage import router as usage_router

ROUTERS: tuple[APIRouter, ...] = (
    catalog_router,
    checkout_router,
    orders_router,
    payments_router,
    entitlements_router,
    invoices_router,
    usage_router,
    notifications_router,
)

__all__ = ["ROUTERS"]
