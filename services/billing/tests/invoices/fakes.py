"""A fake of the VIES boundary: answers set per VAT id, and the questions it was asked."""

from __future__ import annotations

from billing.providers.vies import RegistryAnswer, RegistryResult


class FakeRegistry:
    def __init__(self, default: RegistryResult = RegistryResult.VALID) -> None:
        self.default = default
        self.answers: dict[str, RegistryAnswer] = {}
        self.asked: list[str] = []

    def answer(self, vat_id: str, result: RegistryResult, **fields: str) -> None:
        self.answers[vat_id] = RegistryAnswer(result=result, **fields)

    async def check(self, *, country_prefix: str, number: str) -> RegistryAnswer:
        vat_id = country_prefix + number
        self.asked.append(vat_id)
        return self.answers.get(vat_id, RegistryAnswer(result=self.default))
