"""The staff commands: ``python -m billing catalog ...`` and ``python -m billing orders ...``."""

import asyncio

import pytest

from billing.__main__ import main


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AOS_ENVIRONMENT", "development")
    monkeypatch.setenv("BILLING_DATABASE_URL", database_url)


async def run(*argv: str) -> int:
    """main() runs its own event loop, so it runs on a thread beside the test's."""
    return await asyncio.to_thread(main, list(argv))


def test_help_of_the_staff_commands_names_their_actions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command, actions in (
        ("catalog", ("list", "set-price", "set-stock", "add-tool")),
        ("orders", ("pick", "ship", "deliver")),
    ):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        out = capsys.readouterr().out
        for action in actions:
            assert action in out


async def test_catalog_edits_reach_the_shop(
    billing, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run("catalog", "set-price", "TOOL_ENET_CABLE", "42.50") == 0
    assert await run("catalog", "set-stock", "TOOL_ENET_CABLE", "7") == 0
    assert (
        await run(
            "catalog",
            "add-tool",
            "TOOL_TORQUE_WRENCH",
            "--name",
            "Torque wrench 5-60 Nm",
            "--net",
            "129",
            "--weight-grams",
            "900",
            "--stock",
            "4",
        )
        == 0
    )
    cable = (await billing.client.get("/catalog/products/TOOL_ENET_CABLE")).json()
    assert (cable["net_minor"], cable["stock_available"]) == (4250, 7)
    wrench = (await billing.client.get("/catalog/products/TOOL_TORQUE_WRENCH")).json()
    assert (wrench["kind"], wrench["net_minor"], wrench["weight_grams"]) == ("TOOL", 12900, 900)
    capsys.readouterr()
    assert await run("catalog", "list") == 0
    listing = capsys.readouterr().out
    assert "TOOL_TORQUE_WRENCH" in listing and "AIR_1H" in listing


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("catalog", "set-stock", "AIR_1D", "5"), "only tools"),
        (("catalog", "set-stock", "NOPE", "5"), "catalog list"),
        (("catalog", "set-stock", "TOOL_ENET_CABLE", "-1"), "negative"),
        (("catalog", "set-price", "NOPE", "1.00"), "no product 'NOPE'"),
        (
            (
                "catalog",
                "add-tool",
                "wrench",
                "--name",
                "W",
                "--net",
                "1",
                "--weight-grams",
                "1",
                "--stock",
                "1",
            ),
            "TOOL_",
        ),
        (
            (
                "catalog",
                "add-tool",
                "TOOL_ENET_CABLE",
                "--name",
                "W",
                "--net",
                "1",
                "--weight-grams",
                "1",
                "--stock",
                "1",
            ),
            "exists already",
        ),
    ],
)
async def test_a_refused_catalog_edit_says_why_and_exits_1(
    billing, cli_env: None, capsys: pytest.CaptureFixture[str], argv, message
) -> None:
    assert await run(*argv) == 1
    assert message in capsys.readouterr().err


async def test_a_bad_price_is_a_usage_error(cli_env: None, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["catalog", "set-price", "TOOL_ENET_CABLE", "12,90"])
    assert exited.value.code == 2
    assert "write e.g. 12.90" in capsys.readouterr().err


async def test_a_paid_tool_order_is_picked_shipped_with_tracking_and_delivered(
    billing, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    org = await billing.buyer()
    order = await billing.buy(org, "TOOL_OBD_EXTENSION")
    assert order["fulfilment"]["status"] == "awaiting_pick"
    order_id = order["id"]

    # Out of order: shipping before picking is refused and changes nothing.
    assert await run("orders", "ship", order_id) == 1
    assert "awaiting_pick" in capsys.readouterr().err
    assert await run("orders", "pick", order_id) == 0
    assert await run("orders", "ship", order_id) == 0
    shipped = await billing.get_order(org, order_id)
    assert shipped["fulfilment"]["status"] == "shipped"
    assert shipped["fulfilment"]["carrier"] == "test-carrier"
    assert shipped["fulfilment"]["tracking_number"].startswith("TEST")
    assert shipped["fulfilment"]["shipped_at"] is not None
    assert shipped["fulfilment"]["tracking_number"] in capsys.readouterr().out

    assert await run("orders", "deliver", order_id) == 0
    delivered = await billing.get_order(org, order_id)
    assert delivered["fulfilment"]["status"] == "delivered"
    assert delivered["fulfilment"]["delivered_at"] is not None
    assert await run("orders", "deliver", order_id) == 1


async def test_a_parcel_sent_by_hand_records_its_tracking_number(billing, cli_env: None) -> None:
    org = await billing.buyer()
    order = await billing.buy(org, "TOOL_ENET_CABLE")
    assert await run("orders", "pick", order["id"]) == 0
    assert await run("orders", "ship", order["id"], "--tracking-number", "00340434161234567") == 0
    fulfilment = (await billing.get_order(org, order["id"]))["fulfilment"]
    assert (fulfilment["carrier"], fulfilment["tracking_number"]) == ("manual", "00340434161234567")


async def test_orders_without_tools_or_unpaid_are_not_fulfilled(
    billing, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    org = await billing.buyer()
    passes = await billing.buy(org, "AIR_1H")
    assert await run("orders", "pick", passes["id"]) == 1
    assert "no tools" in capsys.readouterr().err
    unpaid = await billing.order(org, "TOOL_ENET_CABLE")
    assert await run("orders", "pick", unpaid["id"]) == 1
    assert "not paid" in capsys.readouterr().err
    assert await run("orders", "pick", "7b1a87c2-94f0-451c-832d-11bc41be021a") == 1
    assert "no order" in capsys.readouterr().err
