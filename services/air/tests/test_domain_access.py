"""Access decisions and their wording, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from air.domain.access import AIR_PASS_PRODUCTS, PassSummary, decide_access, products_to_buy

MOMENT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_active_pass_allows_access() -> None:
    decision = decide_access(PassSummary(MOMENT, None, None))

    assert decision.allowed is True


def test_no_pass_names_every_pass_and_how_to_buy() -> None:
    decision = decide_access(PassSummary(None, None, None))

    assert decision.allowed is False
    assert decision.detail == (
        "Your organisation has no AIR pass. Buy one of the passes "
        "AIR_1H, AIR_1D, AIR_1W, AIR_1M, AIR_1Y with POST /api/billing/checkout, then retry."
    )
    assert AIR_PASS_PRODUCTS == ("AIR_1H", "AIR_1D", "AIR_1W", "AIR_1M", "AIR_1Y")


def test_expired_pass_says_when_it_expired() -> None:
    decision = decide_access(PassSummary(None, MOMENT, None))

    assert decision.allowed is False
    assert decision.expired_at == MOMENT
    assert decision.detail.startswith(
        "Your organisation's AIR pass expired at 2025-03-04T05:06:07Z. Buy one of the passes"
    )


def test_future_pass_says_when_it_starts() -> None:
    decision = decide_access(PassSummary(None, None, MOMENT))

    assert decision.allowed is False
    assert decision.starts_at == MOMENT
    assert decision.detail.startswith(
        "Your organisation's next AIR pass starts at 2025-03-04T05:06:07Z; wait until then or buy"
    )


def test_a_request_for_a_vehicle_is_offered_that_vehicles_pass() -> None:
    decision = decide_access(PassSummary(None, None, None), vin="WBA6K5105MFK54321")

    assert decision.detail == (
        "Your organisation has no AIR pass. Buy one of the passes AIR_1H, AIR_1D, AIR_1W, "
        "AIR_1M, AIR_1Y, or AIR_VIN_24H for VIN WBA6K5105MFK54321 alone, with "
        "POST /api/billing/checkout, then retry."
    )
    assert products_to_buy("WBA6K5105MFK54321") == [*AIR_PASS_PRODUCTS, "AIR_VIN_24H"]
    assert products_to_buy(None) == list(AIR_PASS_PRODUCTS)


def test_vin_passes_for_other_vehicles_are_named_with_how_to_use_them() -> None:
    summary = PassSummary(None, None, None, other_vins=("WBA5F3103MFX12345",))

    for_no_vehicle = decide_access(summary)
    for_another = decide_access(summary, vin="WBA6K5105MFK54321")

    assert for_no_vehicle.allowed is False
    assert for_no_vehicle.detail.startswith(
        "Your organisation's AIR passes cover only the vehicles WBA5F3103MFX12345 (not a search "
        "without a VIN): search with vin=<that VIN> and open documents with it."
    )
    assert "(not VIN WBA6K5105MFK54321)" in for_another.detail
