"""Checkout: pricing a cart of passes and tools for the caller's organisation (the quote), and
placing it as an order with its stock reserved.

VAT is decided per line from billing's copy of the customer's company data: passes are
electronically supplied services, tools and their shipping are goods (billing.domain.tax).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from billing.db.models import Order, OrderLine, Product
from billing.db.orders import OrderRepository
from billing.db.products import ProductRepository
from billing.domain.catalog import ProductKind
from billing.domain.entitlements import Window, next_window
from billing.domain.orders import FulfilmentStatus, OrderStatus
from billing.domain.shipping import ShippingFee, shipping_fee
from billing.domain.tax import SupplyKind, TaxDecision, line_vat_minor
from billing.errors import (
    CheckoutInvalidError,
    CompanyAddressMissingError,
    OutOfStockError,
    TermsNotAcceptedError,
    TermsOutdatedError,
)
from billing.providers.vies import VatIdRegistry
from billing.services.entitlements import chain_start
from billing.services.tax import CustomerTax, customer_tax, tax_decision
from servicekit.auth import Principal

__all__ = [
    "Address",
    "Cart",
    "CartLine",
    "PricedLine",
    "Quote",
    "SellerTerms",
    "ShippingCharge",
    "place_order",
    "quote",
]


@dataclass(frozen=True)
class Address:
    name: str
    street: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2

    @property
    def complete(self) -> bool:
        return (
            all(part.strip() for part in (self.name, self.street, self.postcode, self.city))
            and len(self.country) == 2
        )


@dataclass(frozen=True)
class CartLine:
    product_code: str
    quantity: int
    vin: str | None  # already validated (billing.domain.vin)


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    shipping_address: Address | None = None


@dataclass(frozen=True)
class SellerTerms:
    """What checkout needs of the seller's settings."""

    seller_country: str
    terms_version: str
    terms_url: str
    reservation: timedelta
    # VIES when configured (BILLING_VIES_URL): a VAT id it does not confirm gets VAT charged.
    vat_id_registry: VatIdRegistry | None = None


@dataclass(frozen=True)
class PricedLine:
    product: Product
    kind: ProductKind
    quantity: int
    vin: str | None
    unit_net_minor: int
    net_minor: int
    vat_rate_bp: int
    vat_minor: int
    # For a pass: the window it gives if bought now, chained after the time already held.
    window: Window | None

    @property
    def gross_minor(self) -> int:
        return self.net_minor + self.vat_minor


@dataclass(frozen=True)
class ShippingCharge:
    fee: ShippingFee
    vat_rate_bp: int
    vat_minor: int

    @property
    def net_minor(self) -> int:
        return self.fee.net_minor

    @property
    def gross_minor(self) -> int:
        return self.fee.net_minor + self.vat_minor


@dataclass(frozen=True)
class Quote:
    lines: tuple[PricedLine, ...]
    shipping: ShippingCharge | None
    shipping_address: Address | None
    currency: str
    profile: CustomerTax
    # The decision for the order's passes (services) if it has any, else for its goods.
    decision: TaxDecision
    # Every legal note the order's lines need (a mixed order of an EU business has two).
    note: str | None
    terms_version: str
    terms_url: str

    @property
    def requires_shipping(self) -> bool:
        return self.shipping is not None

    @property
    def net_minor(self) -> int:
        return sum(line.net_minor for line in self.lines) + (
            self.shipping.net_minor if self.shipping else 0
        )

    @property
    def vat_minor(self) -> int:
        return sum(line.vat_minor for line in self.lines) + (
            self.shipping.vat_minor if self.shipping else 0
        )

    @property
    def gross_minor(self) -> int:
        return self.net_minor + self.vat_minor

    def vat_breakdown(self) -> list[tuple[int, int, int]]:
        """(rate in bp, net, VAT) per rate, highest rate first; VAT is the sum of the lines'."""
        parts = [(li.vat_rate_bp, li.net_minor, li.vat_minor) for li in self.lines]
        if self.shipping is not None:
            parts.append(
                (self.shipping.vat_rate_bp, self.shipping.net_minor, self.shipping.vat_minor)
            )
        totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for rate, net, vat in parts:
            totals[rate][0] += net
            totals[rate][1] += vat
        return [(rate, net, vat) for rate, (net, vat) in sorted(totals.items(), reverse=True)]


def _invalid(field: str, code: str, message: str, **params: object) -> CheckoutInvalidError:
    return CheckoutInvalidError(
        f"{field}: {message}",
        errors=[{"field": field, "code": code, "message": message, "params": params}],
    )


async def _products(session: AsyncSession, cart: Cart) -> list[Product]:
    repository = ProductRepository(session)
    found: list[Product] = []
    for index, line in enumerate(cart.lines):
        product = await repository.get_active(line.product_code)
        if product is None:
            codes = [p.code for p in await repository.list_active()]
            raise _invalid(
                f"lines.{index}.product_code",
                "unknown-product",
                f"There is no product '{line.product_code}' on sale; use one of: "
                f"{', '.join(codes)}.",
                valid_codes=codes,
            )
        kind = ProductKind(product.kind)
        if kind is ProductKind.VIN_PASS and line.vin is None:
            raise _invalid(
                f"lines.{index}.vin",
                "vin-required",
                f"{product.code} gives access for one vehicle: give its 17-character VIN.",
            )
        if kind is not ProductKind.VIN_PASS and line.vin is not None:
            raise _invalid(
                f"lines.{index}.vin",
                "vin-not-allowed",
                f"{product.code} is not sold per vehicle: leave the VIN out.",
            )
        if kind.is_pass and line.quantity != 1:
            raise _invalid(
                f"lines.{index}.quantity",
                "pass-quantity-one",
                "A pass is bought one at a time: give quantity 1 and add another line for "
                "more time.",
                quantity=1,
            )
        found.append(product)
    currencies = {p.currency for p in found}
    if len(currencies) > 1:
        raise _invalid("lines", "mixed-currencies", "Order products of one currency at a time.")
    return found


async def _windows(
    session: AsyncSession,
    organization_id: uuid.UUID,
    cart: Cart,
    products: Sequence[Product],
    *,
    now: datetime,
) -> list[Window | None]:
    """The window each pass line would give, chained after what the organisation holds and
    after the cart's earlier lines of the same chain. An estimate: the grant at payment
    chains again, under the chain's lock, after whatever was paid in between."""
    ends: dict[tuple[str, str | None], datetime | None] = {}
    windows: list[Window | None] = []
    for line, product in zip(cart.lines, products, strict=True):
        if product.scope is None or product.duration_seconds is None:
            windows.append(None)
            continue
        chain = (product.scope, line.vin)
        if chain not in ends:
            ends[chain] = await chain_start(
                session, organization_id, scope=product.scope, vin=line.vin
            )
        window = next_window(
            now=now, latest_valid_until=ends[chain], duration_seconds=product.duration_seconds
        )
        ends[chain] = window.valid_until
        windows.append(window)
    return windows


def _default_address(profile: CustomerTax) -> Address:
    customer = profile.customer
    return Address(
        name=customer.legal_name,
        street=customer.street,
        postcode=customer.postcode,
        city=customer.city,
        country=customer.country,
    )


def _notes(decisions: Sequence[TaxDecision]) -> str | None:
    notes: list[str] = []
    for decision in decisions:
        if decision.note and decision.note not in notes:
            notes.append(decision.note)
    return " ".join(notes) or None


async def quote(
    session: AsyncSession,
    organization_id: uuid.UUID,
    cart: Cart,
    *,
    terms: SellerTerms,
    now: datetime,
) -> Quote:
    """What ``cart`` costs the organisation now, line by line, with VAT, shipping and the
    windows its passes give.

    Raises CheckoutInvalidError (a field that names something impossible),
    CompanyDataMissingError (billing does not know the organisation's company data yet),
    CompanyAddressMissingError (the company profile lacks the address an invoice needs).
    """
    products = await _products(session, cart)
    profile = await customer_tax(session, organization_id, now=now, registry=terms.vat_id_registry)
    customer = profile.customer
    if not (customer.street and customer.postcode and customer.city):
        raise CompanyAddressMissingError(
            "Your company's address is incomplete, and every invoice must show it. Fill in "
            "street, postcode and city in the company profile (PATCH "
            "/api/identity/organizations/current), then try again.",
            missing=[
                field for field in ("street", "postcode", "city") if not getattr(customer, field)
            ],
        )
    service = tax_decision(profile, seller_country=terms.seller_country, supply=SupplyKind.SERVICE)
    goods = tax_decision(profile, seller_country=terms.seller_country, supply=SupplyKind.GOODS)
    windows = await _windows(session, organization_id, cart, products, now=now)
    lines: list[PricedLine] = []
    for line, product, window in zip(cart.lines, products, windows, strict=True):
        kind = ProductKind(product.kind)
        decision = service if kind.is_pass else goods
        net = product.net_minor * line.quantity
        lines.append(
            PricedLine(
                product=product,
                kind=kind,
                quantity=line.quantity,
                vin=line.vin,
                unit_net_minor=product.net_minor,
                net_minor=net,
                vat_rate_bp=decision.rate_bp,
                vat_minor=line_vat_minor(net, rate_bp=decision.rate_bp),
                window=window,
            )
        )
    weight = sum(
        (li.product.weight_grams or 0) * li.quantity for li in lines if li.kind is ProductKind.TOOL
    )
    shipping: ShippingCharge | None = None
    address: Address | None = None
    if weight > 0:
        address = cart.shipping_address or _default_address(profile)
        if not address.complete:
            raise _invalid(
                "shipping_address",
                "shipping-address-required",
                "Tools are shipped: give a shipping address (name, street, postcode, city, "
                "country), or complete your company address.",
            )
        fee = shipping_fee(
            weight, destination_country=address.country, seller_country=terms.seller_country
        )
        shipping = ShippingCharge(
            fee=fee,
            vat_rate_bp=goods.rate_bp,
            vat_minor=line_vat_minor(fee.net_minor, rate_bp=goods.rate_bp),
        )
    has_passes = any(li.kind.is_pass for li in lines)
    has_goods = shipping is not None
    used = [d for d, present in ((service, has_passes), (goods, has_goods)) if present]
    return Quote(
        lines=tuple(lines),
        shipping=shipping,
        shipping_address=address,
        currency=products[0].currency,
        profile=profile,
        decision=service if has_passes else goods,
        note=_notes(used),
        terms_version=terms.terms_version,
        terms_url=terms.terms_url,
    )


def _check_terms(*, accepted: bool, version: str, terms: SellerTerms) -> None:
    if not accepted:
        raise TermsNotAcceptedError(
            f"Read the terms of sale ({terms.terms_url}) and confirm with accept_terms: true "
            f"and terms_version '{terms.terms_version}'.",
            terms_version=terms.terms_version,
            terms_url=terms.terms_url,
        )
    if version != terms.terms_version:
        raise TermsOutdatedError(
            f"You accepted the terms of sale version '{version}', but version "
            f"'{terms.terms_version}' applies now ({terms.terms_url}); read them and confirm "
            "again.",
            terms_version=terms.terms_version,
            terms_url=terms.terms_url,
        )


async def _reserve_stock(session: AsyncSession, lines: Sequence[PricedLine]) -> None:
    """Take the cart's tools off stock; raises OutOfStockError (nothing taken: the caller's
    transaction rolls back) naming the product and what is left."""
    wanted: dict[str, int] = defaultdict(int)
    for line in lines:
        if line.kind is ProductKind.TOOL:
            wanted[line.product.code] += line.quantity
    repository = ProductRepository(session)
    # In code order, so two carts of the same tools lock their rows in the same order.
    for code in sorted(wanted):
        if await repository.reserve_stock(code, wanted[code]) is None:
            left = await repository.stock_of(code)
            raise OutOfStockError(
                f"Only {left} of {code} left, {wanted[code]} wanted; lower the quantity or "
                "remove it from the cart.",
                product_code=code,
                available=left,
                requested=wanted[code],
            )


async def place_order(
    session: AsyncSession,
    principal: Principal,
    cart: Cart,
    *,
    accept_terms: bool,
    terms_version: str,
    terms: SellerTerms,
    now: datetime,
) -> Order:
    """The cart as an order awaiting payment, its tools reserved until ``now +
    terms.reservation``.

    Raises TermsNotAcceptedError, TermsOutdatedError, OutOfStockError and whatever
    :func:`quote` raises.
    """
    _check_terms(accepted=accept_terms, version=terms_version, terms=terms)
    priced = await quote(session, principal.organization_id, cart, terms=terms, now=now)
    await _reserve_stock(session, priced.lines)
    customer = priced.profile.customer
    address = priced.shipping_address
    order = Order(
        id=uuid.uuid4(),
        organization_id=principal.organization_id,
        user_id=principal.user_id,
        net_minor=priced.net_minor,
        vat_minor=priced.vat_minor,
        gross_minor=priced.gross_minor,
        currency=priced.currency,
        status=OrderStatus.PENDING_PAYMENT.value,
        customer_legal_name=customer.legal_name,
        customer_street=customer.street,
        customer_postcode=customer.postcode,
        customer_city=customer.city,
        customer_country=customer.country,
        customer_vat_id=customer.vat_id,
        vat_id_status=priced.profile.vat_id_status.value,
        tax_treatment=priced.decision.treatment.value,
        tax_note=priced.note,
        terms_version=terms.terms_version,
        terms_accepted_at=now,
        shipping_name=address.name if address else None,
        shipping_street=address.street if address else None,
        shipping_postcode=address.postcode if address else None,
        shipping_city=address.city if address else None,
        shipping_country=address.country if address else None,
        shipping_rule=priced.shipping.fee.rule if priced.shipping else None,
        shipping_net_minor=priced.shipping.net_minor if priced.shipping else 0,
        shipping_vat_minor=priced.shipping.vat_minor if priced.shipping else 0,
        shipping_vat_rate_bp=priced.shipping.vat_rate_bp if priced.shipping else 0,
        reservation_expires_at=now + terms.reservation if priced.requires_shipping else None,
        fulfilment_status=FulfilmentStatus.NONE.value,
        created_at=now,
    )
    lines = [
        OrderLine(
            id=uuid.uuid4(),
            order_id=order.id,
            position=position,
            product_code=line.product.code,
            kind=line.kind.value,
            scope=line.product.scope,
            name=line.product.name,
            quantity=line.quantity,
            unit_net_minor=line.unit_net_minor,
            net_minor=line.net_minor,
            vat_rate_bp=line.vat_rate_bp,
            vat_minor=line.vat_minor,
            gross_minor=line.gross_minor,
            vin=line.vin,
            duration_seconds=line.product.duration_seconds,
            weight_grams=line.product.weight_grams,
        )
        for position, line in enumerate(priced.lines)
    ]
    return await OrderRepository(session).add(order, lines)
