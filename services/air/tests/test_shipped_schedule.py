"""The shipped maintenance rules against the shipped content pack: every job a rule links to
exists, and is a document that applies to the vehicle it is linked for."""

from __future__ import annotations

from air.content import load_pack
from air.domain.content import Language
from air.domain.schedule import document_problems
from air.services.schedule import load_maintenance_rules

# A model year inside every document's range, so only the vehicle's other facts decide.
MODEL_YEAR = 2023


def test_every_linked_document_is_in_the_pack() -> None:
    pack = load_pack()
    assert document_problems(load_maintenance_rules(), {d.id for d in pack.documents}) == []


def test_the_document_linked_for_each_vehicle_applies_to_that_vehicle() -> None:
    pack = load_pack()
    documents = {d.id: d for d in pack.in_language(Language.EN)}
    rules = load_maintenance_rules()
    checked = 0
    for vehicle_type in pack.vehicles.type_codes.values():
        facts = vehicle_type.facts(model_year=MODEL_YEAR)
        for rule in rules.rules:
            if not rule.conditions.hold(facts):
                continue
            document_id = rule.document_for(facts)
            if document_id is None:
                continue
            checked += 1
            assert documents[document_id].applicability.applies(facts), (
                f"{rule.id} links {document_id} for the {vehicle_type.model} "
                f"({vehicle_type.engine.code}), which it does not apply to"
            )
    assert checked > 0


def test_a_petrol_car_is_told_to_use_the_petrol_oil_service() -> None:
    pack = load_pack()
    rules = {rule.id: rule for rule in load_maintenance_rules().rules}
    petrol = pack.vehicles.type_codes["5F31"].facts(model_year=MODEL_YEAR)  # 330i, B48
    diesel = pack.vehicles.type_codes["5F71"].facts(model_year=MODEL_YEAR)  # 320d, B47
    six = pack.vehicles.type_codes["6K91"].facts(model_year=MODEL_YEAR)  # M340i Touring, B58
    assert rules["engine_oil"].document_for(petrol) == "ri-b48-engine-oil-service"
    assert rules["engine_oil"].document_for(diesel) == "ri-b47-engine-oil-service"
    assert rules["engine_oil"].document_for(six) == "ri-b58-engine-oil-service"
