"""The tax-form and withholding rule, kept small and explicit (docs/awards.md). No Django here.

This is an operational rule an organiser can follow, not tax advice:

- A payee whose country of tax residence is the US gives a W-9; anyone else a W-8BEN.
- A W-9 does not expire. A W-8BEN is valid until the end of the third calendar year after the
  year it was signed (signed 2025-05-01 → valid through 2028-12-31).
- Withholding: W-9 0 %; W-8BEN 30 %, unless the organiser entered a treaty rate for the
  obligation, which then applies. An organisation that collects no tax forms withholds nothing.
- Withheld = gross × rate, rounded half-up to the cent; net = gross − withheld.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

W9 = "w9"
W8BEN = "w8ben"
NONE = ""  # the organisation collects no tax forms

DEFAULT_FOREIGN_RATE = Decimal("30")
CENT = Decimal("0.01")


def required_form(country: str, *, forms_required: bool = True) -> str:
    """The form a payee from `country` (ISO alpha-2) must have on file, or NONE."""
    if not forms_required:
        return NONE
    return W9 if country.upper() == "US" else W8BEN


def form_valid_until(form: str, signed_on: date) -> date | None:
    """The last day the form is valid; None if it does not expire."""
    if form == W8BEN:
        return date(signed_on.year + 3, 12, 31)
    return None


def form_is_current(form: str, signed_on: date, today: date) -> bool:
    if signed_on > today:
        return False
    until = form_valid_until(form, signed_on)
    return until is None or today <= until


def withholding_rate(form: str, treaty_rate: Decimal | None = None) -> Decimal:
    """The percentage withheld from a payment to a payee with `form` on file."""
    if form == W8BEN:
        return DEFAULT_FOREIGN_RATE if treaty_rate is None else Decimal(treaty_rate)
    return Decimal("0")


def split(gross: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """(withheld, net) for a gross amount at a percentage rate."""
    withheld = (Decimal(gross) * Decimal(rate) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return withheld, Decimal(gross) - withheld
