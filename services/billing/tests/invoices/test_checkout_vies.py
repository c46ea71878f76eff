"""Checkout asks VIES (when configured) before it decides the VAT of a sale."""

from __future__ import annotations

from billing.providers.vies import RegistryResult

from .fakes import FakeRegistry


async def test_a_vat_id_vies_does_not_confirm_pays_vat_at_checkout(billing) -> None:
    registry = FakeRegistry()
    registry.answer("ATU13585627", RegistryResult.INVALID)
    billing.app.state.vat_id_registry = registry
    org = await billing.buyer(country="AT", vat_id="ATU13585627")

    response = await billing.client.post(
        "/checkout/quote",
        json={"lines": [{"product_code": "AIR_1D", "quantity": 1}]},
        headers=org.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert registry.asked == ["ATU13585627"]
    assert (body["tax"]["treatment"], body["tax"]["vat_id_status"]) == ("OSS", "invalid")
    assert body["lines"][0]["vat_rate_bp"] == 2000
