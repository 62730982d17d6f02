"""The manual provider: finance pays by bank transfer (or cheque, or cash) and marks it paid."""

from __future__ import annotations

from crowdstudio.awards.providers import Payment, Result


class ManualProvider:
    name = "manual"
    needs_account = False

    def send(self, payment: Payment) -> Result:
        # Nothing leaves the building: a person completes the attempt with a reference.
        return Result(outcome="awaiting_person")
