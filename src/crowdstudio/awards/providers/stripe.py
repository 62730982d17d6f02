"""Stripe Connect transfers: `POST /v1/transfers` to the winner's connected account.

Request: form-encoded `amount` (minor units), `currency` (lower case), `destination` (the
connected account id, `acct_…`), optional `description` and `metadata[…]`, with the secret key as
a bearer token and an `Idempotency-Key` header. Stripe stores the first response for a key and
replays it for any repeat, so retrying an attempt with its key can never transfer twice.

Answers: 200 with `{"id": "tr_…", "object": "transfer", …}` → paid. 4xx with
`{"error": {"type", "code", "message"}}` → failed (nothing was transferred), except 409 (a
concurrent request with the same key) and idempotency errors, which leave the outcome unknown.
429, 5xx, timeouts and lost connections → unknown: the attempt is retried with the same key.

Settings: STRIPE_API_KEY (required), STRIPE_API_BASE (default https://api.stripe.com; tests point
it at a local fake server), STRIPE_TIMEOUT (seconds, default 30).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

from django.conf import settings

from crowdstudio.awards.providers import Payment, Result

DEFAULT_BASE = "https://api.stripe.com"
#: Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())


def minor_units(amount: Decimal, currency: str) -> int:
    """425.50 EUR → 42550; 500 JPY → 500."""
    factor = 1 if currency.upper() in ZERO_DECIMAL else 100
    value = Decimal(amount) * factor
    if value != value.to_integral_value():
        raise ValueError(f"{amount} {currency} has more decimals than the currency allows")
    return int(value)


def _error_fields(body: bytes) -> tuple[str, str, str]:
    try:
        error = json.loads(body.decode("utf-8", "replace")).get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    return (
        str(error.get("type") or ""),
        str(error.get("code") or error.get("type") or ""),
        str(error.get("message") or ""),
    )


class StripeProvider:
    name = "stripe"
    needs_account = True

    def __init__(
        self, *, api_key: str | None = None, base: str | None = None, timeout: float | None = None
    ) -> None:
        self.api_key = api_key if api_key is not None else getattr(settings, "STRIPE_API_KEY", "")
        self.base = (base or getattr(settings, "STRIPE_API_BASE", "") or DEFAULT_BASE).rstrip("/")
        self.timeout = float(timeout or getattr(settings, "STRIPE_TIMEOUT", 30) or 30)
        if not self.base.startswith(("https://", "http://")):
            raise ValueError("STRIPE_API_BASE must be an http(s) URL")

    def send(self, payment: Payment) -> Result:
        if not self.api_key:
            return Result(
                "failed", error_code="not_configured", error_message="STRIPE_API_KEY is not set."
            )
        if not payment.destination:
            return Result(
                "failed",
                error_code="no_destination",
                error_message="The payee has no Stripe account id.",
            )
        fields: dict[str, Any] = {
            "amount": minor_units(payment.amount, payment.currency),
            "currency": payment.currency.lower(),
            "destination": payment.destination,
        }
        if payment.description:
            fields["description"] = payment.description
        for key, value in payment.metadata.items():
            fields[f"metadata[{key}]"] = value
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            f"{self.base}/v1/transfers",
            data=urllib.parse.urlencode(fields).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": payment.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as error:
            return self._from_error(error.code, error.read())
        except (OSError, ValueError) as error:
            # Timeout, refused or dropped connection, truncated answer: the transfer may exist.
            return Result("unknown", error_code="no_answer", error_message=str(error)[:500])
        try:
            data = json.loads(body)
        except ValueError:
            return Result("unknown", error_code="bad_answer", error_message="Unreadable answer.")
        if isinstance(data, dict) and data.get("object") == "transfer" and data.get("id"):
            return Result("paid", reference=str(data["id"]))
        return Result("unknown", error_code="bad_answer", error_message="Not a transfer object.")

    @staticmethod
    def _from_error(status: int, body: bytes) -> Result:
        kind, code, message = _error_fields(body)
        if status == 429 or status >= 500 or status == 409 or kind == "idempotency_error":
            return Result("unknown", error_code=code or f"http_{status}", error_message=message)
        return Result("failed", error_code=code or f"http_{status}", error_message=message)
