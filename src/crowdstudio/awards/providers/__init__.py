"""Payout providers: how money actually reaches a winner.

A provider is a small class with a `name`, a `needs_account` flag (whether the payee must give a
payout account reference, e.g. a Stripe connected account id) and one method, `send(payment)`,
which asks the provider to pay and answers a `Result`:

- `paid` — the provider confirmed the payment (with its reference);
- `failed` — the provider refused and certainly did not pay; a retry starts a new attempt with a
  new idempotency key;
- `unknown` — no answer (timeout, connection lost, 429, 5xx): the provider may have paid, so the
  attempt stays in flight and the next try reuses the same idempotency key;
- `awaiting_person` — nothing is sent automatically; someone in finance pays by other means and
  marks the obligation paid (the manual provider).

`send` must be safe to call again with the same `Payment.idempotency_key`: it must never pay twice
for one key. It must not touch the database; the payout services record the outcome.

How to add one: create `providers/<name>.py` with a class implementing `Provider`, add it to
`PROVIDERS` below, read its settings with `getattr(settings, "…", default)`, and test it against a
local fake server (see tests/awards/fake_stripe.py). Choose it per installation with
`CROWDSTUDIO_PAYOUT_PROVIDER = "<name>"` or per organisation in its payout settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from typing import Literal, Protocol

from django.conf import settings

Outcome = Literal["paid", "failed", "unknown", "awaiting_person"]


@dataclass(frozen=True)
class Payment:
    idempotency_key: str
    amount: Decimal  # the net amount, in major units (e.g. 425.00)
    currency: str  # ISO 4217, upper case
    destination: str  # the payee's account reference at the provider ("" for manual)
    description: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    reference: str = ""
    error_code: str = ""
    error_message: str = ""


class Provider(Protocol):
    name: str
    needs_account: bool

    def send(self, payment: Payment) -> Result: ...


#: name → "module:Class", imported on first use.
PROVIDERS: dict[str, str] = {
    "manual": "crowdstudio.awards.providers.manual:ManualProvider",
    "stripe": "crowdstudio.awards.providers.stripe:StripeProvider",
}


def default_provider_name() -> str:
    return str(getattr(settings, "CROWDSTUDIO_PAYOUT_PROVIDER", "manual") or "manual")


def get_provider(name: str = "") -> Provider:
    path = PROVIDERS.get(name or default_provider_name())
    if path is None:
        raise LookupError(f"Unknown payout provider {name!r}; known: {', '.join(PROVIDERS)}")
    module, _sep, cls = path.partition(":")
    provider: Provider = getattr(import_module(module), cls)()
    return provider
