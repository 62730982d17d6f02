"""Admin pages of the awards app. Money rows are read-only: they change only through services
(audited), and the ledger is append-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crowdstudio.awards.models import (
    Account,
    Award,
    LedgerLine,
    LedgerTransaction,
    OrganisationPayoutSettings,
    PayeeDetails,
    PaymentAttempt,
    PayoutObligation,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ["prize", "entry", "winner", "confirmed_at", "cancelled_at"]
    list_select_related = ["prize", "entry", "winner"]


@admin.register(PayeeDetails)
class PayeeDetailsAdmin(ReadOnlyAdmin):
    list_display = ["legal_name", "user", "country", "tax_form", "form_signed_on"]
    # The encrypted columns are never shown, only the masked last four characters.
    fields = (
        "user",
        "legal_name",
        "country",
        "tax_form",
        "form_signed_on",
        "taxpayer_id_masked",
        "payout_account_masked",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(OrganisationPayoutSettings)
class OrganisationPayoutSettingsAdmin(admin.ModelAdmin):
    list_display = ["organisation", "tax_forms_required", "provider"]


class AttemptInline(admin.TabularInline):
    model = PaymentAttempt
    extra = 0
    fields = (
        "number",
        "provider",
        "status",
        "idempotency_key",
        "net",
        "provider_reference",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutObligation)
class PayoutObligationAdmin(ReadOnlyAdmin):
    list_display = ["prize", "payee", "amount", "currency", "status", "paid_at"]
    list_filter = ["status", "currency"]
    list_select_related = ["prize", "payee"]
    inlines = [AttemptInline]


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = ["obligation", "number", "provider", "status", "idempotency_key", "created_at"]
    list_filter = ["status", "provider"]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "currency", "organisation"]


class LineInline(admin.TabularInline):
    model = LedgerLine
    extra = 0
    fields = ("account", "amount", "currency", "payee", "obligation")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "key", "organisation", "memo"]
    list_filter = ["kind"]
    inlines = [LineInline]


@admin.register(LedgerLine)
class LedgerLineAdmin(ReadOnlyAdmin):
    list_display = ["transaction", "account", "amount", "currency", "payee"]
    list_select_related = ["transaction", "account", "payee"]
