"""Commands for platform staff: ``python -m billing catalog ...`` and ``... orders ...``.

Until the maker's admin area exists, staff edit the catalog and move tool orders through the
warehouse from the command line. Each command runs in one transaction and prints what it did;
a refused command prints why on stderr and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.config import Settings
from billing.db.models import Order, Product
from billing.errors import CatalogEditError, FulfilmentError
from billing.providers.carrier import Carrier, TestCarrier
from billing.services import catalog, fulfilment
from servicekit.db import Database

__all__ = ["add_staff_commands", "run_staff_command"]


def _euro_cents(text: str) -> int:
    """'12.90' or '12' (euro) as cents; argparse reports a ValueError as a usage error."""
    whole, _, cents = text.strip().partition(".")
    if not whole.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise argparse.ArgumentTypeError(f"'{text}' is no amount in euro; write e.g. 12.90")
    return int(whole) * 100 + int(cents.ljust(2, "0") or 0)


def _order_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is no order id (a UUID)") from None


def add_staff_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    catalog_parser = commands.add_parser(
        "catalog",
        help="list and edit the products on sale (platform staff)",
        description="List and edit billing's catalog. Prices are net, in euro (12.90).",
    )
    catalog_commands = catalog_parser.add_subparsers(
        dest="catalog_command", required=True, metavar="ACTION"
    )
    catalog_commands.add_parser("list", help="every product with its price and stock")
    price = catalog_commands.add_parser(
        "set-price", help="change a product's net price (orders placed keep theirs)"
    )
    price.add_argument("code", help="product code, e.g. TOOL_ENET_CABLE")
    price.add_argument("net", type=_euro_cents, help="new net price in euro, e.g. 39.90")
    stock = catalog_commands.add_parser(
        "set-stock", help="set the units of a tool available to sell"
    )
    stock.add_argument("code", help="tool code, e.g. TOOL_ICOM_VCI")
    stock.add_argument("stock", type=int, help="units on the shelf and not yet sold")
    tool = catalog_commands.add_parser("add-tool", help="put a new tool on sale")
    tool.add_argument("code", help="TOOL_ followed by capitals, digits or _")
    tool.add_argument("--name", required=True, help="name shown to buyers")
    tool.add_argument("--net", required=True, type=_euro_cents, help="net price in euro")
    tool.add_argument("--weight-grams", required=True, type=int, help="shipping weight in g")
    tool.add_argument("--stock", required=True, type=int, help="units available")
    tool.add_argument("--description", default="", help="one line for the shop")

    orders_parser = commands.add_parser(
        "orders",
        help="move a paid order of tools on: pick, ship, deliver (platform staff)",
        description=(
            "Fulfil a paid order of tools: awaiting_pick -> pick -> ship (the carrier gives "
            "the tracking number) -> deliver."
        ),
    )
    order_commands = orders_parser.add_subparsers(
        dest="orders_command", required=True, metavar="ACTION"
    )
    for action, text in (
        ("pick", "the tools are taken from the shelf and packed"),
        ("ship", "hand the parcel to the carrier, which answers its tracking number"),
        ("deliver", "the carrier reports the parcel delivered"),
    ):
        parser = order_commands.add_parser(action, help=text)
        parser.add_argument("order_id", type=_order_id, help="the order's id (UUID)")
        if action == "ship":
            parser.add_argument(
                "--tracking-number",
                help="record this number of a parcel sent by hand instead of asking the carrier",
            )


def _product_line(product: Product) -> str:
    stock = "-" if product.stock_available is None else str(product.stock_available)
    state = "" if product.active else "  (withdrawn)"
    return (
        f"{product.code:<26} {product.kind:<8} {product.net_minor / 100:>10.2f} "
        f"{product.currency}  stock {stock:>5}  {product.name}{state}"
    )


def _order_line(order: Order) -> str:
    tracking = f", tracking {order.tracking_number}" if order.tracking_number else ""
    return f"order {order.id}: {order.fulfilment_status}{tracking}"


async def _catalog(session: AsyncSession, args: argparse.Namespace) -> list[str]:
    action = args.catalog_command
    if action == "list":
        return [_product_line(p) for p in await catalog.list_all_products(session)]
    if action == "set-price":
        product = await catalog.set_price(session, args.code, net_minor=args.net)
    elif action == "set-stock":
        product = await catalog.set_stock(session, args.code, stock=args.stock)
    else:
        product = await catalog.add_tool(
            session,
            args.code,
            name=args.name,
            net_minor=args.net,
            weight_grams=args.weight_grams,
            stock=args.stock,
            description=args.description,
        )
    return [_product_line(product)]


async def _orders(
    session: AsyncSession, args: argparse.Namespace, *, carrier: Carrier
) -> list[str]:
    now = datetime.now(UTC)
    action = args.orders_command
    if action == "pick":
        order = await fulfilment.pick(session, args.order_id, now=now)
    elif action == "ship":
        order = await fulfilment.ship(
            session,
            args.order_id,
            carrier=carrier,
            now=now,
            tracking_number=args.tracking_number,
        )
    else:
        order = await fulfilment.deliver(session, args.order_id, now=now)
    return [_order_line(order)]


async def run_staff_command(
    args: argparse.Namespace, settings: Settings, *, carrier: Carrier | None = None
) -> int:
    """Run a ``catalog`` or ``orders`` command; 0 when done, 1 when refused."""
    database = Database(settings.database_url, pool_size=1)
    work: Callable[[AsyncSession], Awaitable[list[str]]]
    if args.command == "catalog":

        async def work(session: AsyncSession) -> list[str]:
            return await _catalog(session, args)
    else:
        chosen = carrier or TestCarrier()

        async def work(session: AsyncSession) -> list[str]:
            return await _orders(session, args, carrier=chosen)

    try:
        async with database.transaction() as session:
            lines = await work(session)
    except (CatalogEditError, FulfilmentError) as exc:
        print(f"billing: {exc}", file=sys.stderr)
        return 1
    finally:
        await database.dispose()
    for line in lines:
        print(line)
    return 0
