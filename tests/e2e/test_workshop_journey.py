"""A workshop's first day, through the gateway only, against the real running system.

register → verify e-mail → enrol TOTP → log in → AIR search without a pass is refused →
buy an AIR day pass → search by VIN returns the applicable documents → read one.
"""

from __future__ import annotations

from typing import Any

import httpx
from workshop import buy_pass, poll, problem, register_and_log_in

# A VIN whose type code the demo content pack knows (type code 5F31: G20).
VIN = "WBA5F3103MFX12345"


def test_new_workshop_registers_buys_an_air_pass_and_reads_documents(
    system: Any, http: httpx.Client
) -> None:
    workshop = register_and_log_in(http, system.maildir, company="Kfz Müller GmbH")
    auth = workshop.auth

    no_pass = problem(http.get("/air/documents/search", params={"vin": VIN}, headers=auth), 403)
    assert "AIR_1D" in no_pass["detail"]

    buy_pass(http, workshop, "AIR_1D")
    passes = http.get("/billing/entitlements", headers=auth).json()
    air_passes = [e for e in passes["items"] if e["scope"] == "AIR" and e["active"]]
    assert air_passes
    assert 86_000 < air_passes[0]["seconds_left"] <= 86_400

    # AIR learns about the pass from billing's event over Kafka.
    found = poll(
        lambda: http.get("/air/documents/search", params={"vin": VIN}, headers=auth),
        lambda r: r.status_code == 200,
    )
    assert found.status_code == 200, found.text
    result = found.json()
    series = result["vehicle"]["series"]
    assert series == "G20"
    assert result["items"]
    for item in result["items"]:
        applies = item["applicability"]
        assert applies["all_series"] or series in applies["series"]

    document = http.get(f"/air/documents/{result['items'][0]['id']}", headers=auth)
    assert document.status_code == 200, document.text
    assert document.json()["body"]
