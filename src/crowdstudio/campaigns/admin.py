from django.contrib import admin

from crowdstudio.campaigns.models import (
    Campaign,
    CodeRedemption,
    EligibilityCode,
    Prize,
    Round,
    RoundAdvancement,
    TermsVersion,
)


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0


class TermsInline(admin.StackedInline):
    model = TermsVersion
    extra = 0
    readonly_fields = ["version", "body", "created_at", "created_by"]
    can_delete = False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "created_at"]
    list_filter = ["status", "kind", "organisation"]
    search_fields = ["title", "slug"]
    # Status moves only through campaign_transition (audited), so it is read-only here.
    readonly_fields = ["status", "created_at", "updated_at", "created_by"]
    inlines = [RoundInline, TermsInline]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["campaign", "number", "title", "opens_at", "closes_at", "voting_scheme"]
    list_filter = ["campaign"]


@admin.register(RoundAdvancement)
class RoundAdvancementAdmin(admin.ModelAdmin):
    list_display = ["round", "entry", "from_place", "created_at"]
    raw_id_fields = ["entry"]


@admin.register(Prize)
class PrizeAdmin(admin.ModelAdmin):
    list_display = ["round", "rank", "title", "kind", "amount", "currency"]


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    list_display = ["campaign", "version", "created_at"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # versions are immutable


@admin.register(EligibilityCode)
class EligibilityCodeAdmin(admin.ModelAdmin):
    list_display = ["campaign", "kind", "label", "use_count", "max_uses", "created_at"]
    readonly_fields = ["code_hash"]


@admin.register(CodeRedemption)
class CodeRedemptionAdmin(admin.ModelAdmin):
    list_display = ["code", "user", "redeemed_at"]
