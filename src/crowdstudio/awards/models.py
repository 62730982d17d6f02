"""Awards, payee details and the payout ledger.

The money side is a small double-entry ledger (see docs/awards.md): every amount lives on a
`LedgerLine` of a `LedgerTransaction`, lines of one transaction sum to zero per currency, and
nothing is ever edited or deleted — a mistake is undone by a new, reversing transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crowdstudio.awards import tax


class Award(models.Model):
    """An entry confirmed as the winner of a prize. At most one live award per prize."""

    prize = models.ForeignKey("campaigns.Prize", on_delete=models.PROTECT, related_name="awards")
    entry = models.ForeignKey("entries.Entry", on_delete=models.PROTECT, related_name="awards")
    winner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="awards"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-confirmed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["prize"],
                condition=Q(cancelled_at__isnull=True),
                name="one_live_award_per_prize",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prize} → {self.entry}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class TaxForm(models.TextChoices):
    W9 = "w9", _("W-9 (US person)")
    W8BEN = "w8ben", _("W-8BEN (individual outside the US)")


class PayeeDetails(models.Model):
    """What a winner tells us to be paid: one record per person, reused across organisations.

    The taxpayer id and the payout account are stored encrypted (lib.crypto); only the last
    four characters are kept in clear, to show a masked value.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payee_details"
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = models.CharField(
        _("country of tax residence"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code")
    )
    tax_form = models.CharField(_("tax form"), max_length=8, choices=TaxForm.choices)
    form_signed_on = models.DateField(_("date the form was signed"))
    taxpayer_id_encrypted = models.TextField(editable=False)
    taxpayer_id_last4 = models.CharField(max_length=4, editable=False)
    payout_account_encrypted = models.TextField(blank=True, editable=False)
    payout_account_last4 = models.CharField(max_length=4, blank=True, editable=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payee details")
        verbose_name_plural = _("payee details")

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.country}, {self.get_tax_form_display()})"

    @property
    def taxpayer_id_masked(self) -> str:
        return f"•••• {self.taxpayer_id_last4}" if self.taxpayer_id_last4 else ""

    @property
    def payout_account_masked(self) -> str:
        return f"•••• {self.payout_account_last4}" if self.payout_account_last4 else ""

    @property
    def has_payout_account(self) -> bool:
        return bool(self.payout_account_encrypted)

    def form_valid_until(self) -> date | None:
        """The last day the tax form is valid (None: it does not expire), see awards.tax."""
        return tax.form_valid_until(self.tax_form, self.form_signed_on)


class OrganisationPayoutSettings(models.Model):
    """How one organisation pays prizes. Without a row, the installation defaults apply."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="payout_settings"
    )
    tax_forms_required = models.BooleanField(
        _("tax forms required"),
        default=True,
        help_text=_(
            "Off means no tax form is collected and nothing is withheld (e.g. an organiser "
            "outside the US tax system)."
        ),
    )
    provider = models.CharField(
        _("payout provider"),
        max_length=20,
        blank=True,
        help_text=_("Empty: the installation's default provider."),
    )

    class Meta:
        verbose_name = _("payout settings")
        verbose_name_plural = _("payout settings")

    def __str__(self) -> str:
        return f"{self.organisation} payouts"


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class PayoutObligation(models.Model):
    """Money owed to a winner for a cash prize. Amounts are recorded when it is paid."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="obligation")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payout_obligations"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="payout_obligations"
    )
    prize = models.ForeignKey(
        "campaigns.Prize", on_delete=models.PROTECT, related_name="payout_obligations"
    )
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_obligations"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ObligationStatus.choices,
        default=ObligationStatus.PENDING,
        db_index=True,
    )
    treaty_rate = models.DecimalField(
        _("treaty withholding rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For a W-8BEN payee from a treaty country; empty means the default 30 %."),
    )
    withholding_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    gross = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    withheld = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    net = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    tax_form = models.CharField(max_length=8, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=255, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payout obligation")
        verbose_name_plural = _("payout obligations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="obligation_amount_positive"),
            models.CheckConstraint(
                condition=Q(treaty_rate__isnull=True) | Q(treaty_rate__gte=0, treaty_rate__lte=100),
                name="obligation_treaty_rate_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} → {self.payee} ({self.status})"


class AttemptStatus(models.TextChoices):
    IN_FLIGHT = "in_flight", _("In flight")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentAttempt(models.Model):
    """One try to pay an obligation. Its idempotency key is stored before the provider is called
    and reused for every retry of the same attempt, so the provider pays it at most once."""

    obligation = models.ForeignKey(
        PayoutObligation, on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    provider = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=64, unique=True)
    request_key = models.CharField(
        max_length=255,
        blank=True,
        help_text=_("The caller's Idempotency-Key (API) or form key (web) that started it."),
    )
    status = models.CharField(
        max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_FLIGHT
    )
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    withheld = models.DecimalField(max_digits=12, decimal_places=2)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    withholding_rate = models.DecimalField(max_digits=5, decimal_places=2)
    currency = models.CharField(max_length=3)
    tax_form = models.CharField(max_length=8, blank=True)
    destination_encrypted = models.TextField(
        blank=True,
        editable=False,
        help_text=_("The payout account at the start, encrypted: every retry sends the same."),
    )
    calls = models.PositiveIntegerField(default=0, help_text=_("Times the provider was called."))
    provider_reference = models.CharField(max_length=255, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    last_error_message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        ordering = ["obligation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "number"], name="unique_payment_attempt_number"
            ),
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(status="in_flight"),
                name="one_attempt_in_flight_per_obligation",
            ),
            models.UniqueConstraint(
                fields=["obligation"],
                condition=Q(status="succeeded"),
                name="one_successful_attempt_per_obligation",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.provider} {self.status}"


class AccountCode(models.TextChoices):
    CASH = "1000", _("Cash at bank")
    PRIZES_PAYABLE = "2100", _("Prizes payable")
    TAX_WITHHELD = "2200", _("Tax withheld payable")
    PRIZE_EXPENSE = "5100", _("Prize expense")


class Account(models.Model):
    """A ledger account of one organisation in one currency."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    code = models.CharField(max_length=4, choices=AccountCode.choices)
    currency = models.CharField(max_length=3)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["organisation", "code", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code", "currency"], name="unique_ledger_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_code_display()} ({self.currency})"


class AppendOnly(models.Model):
    """Rows that are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Ledger rows are append-only; post a reversing transaction.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Ledger rows are append-only; post a reversing transaction.")


class TransactionKind(models.TextChoices):
    AWARD = "award", _("Prize awarded")
    PAYMENT = "payment", _("Prize paid")
    REVERSAL = "reversal", _("Award cancelled")


class LedgerTransaction(AppendOnly):
    """A balanced set of ledger lines. `key` makes each business event post exactly once
    (e.g. "payment:42" for obligation 42), whatever retries happen."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=TransactionKind.choices)
    memo = models.CharField(max_length=255, blank=True)
    obligation = models.ForeignKey(
        PayoutObligation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_transactions",
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.get_kind_display()} {self.key}"


class LedgerLine(AppendOnly):
    """One amount on one account: debits are positive, credits negative."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="lines"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    obligation = models.ForeignKey(
        PayoutObligation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_lines",
    )

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        ordering = ["transaction", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=Decimal("0")), name="ledger_line_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount} {self.currency}"
