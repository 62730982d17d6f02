"""Admin pages of the rights app. Rights change only through services (audited), so rows are
read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crowdstudio.rights.models import (
    CampaignRightsPolicy,
    ConsentEvidence,
    Eligibility,
    Release,
    RightsRecord,
    RightsRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RightsRecord)
class RightsRecordAdmin(ReadOnlyAdmin):
    list_display = ("entry", "status", "how", "network", "granted_at", "withdrawn_at")
    list_filter = ("status", "how", "network")
    search_fields = ("entry__title", "post_author_handle")


@admin.register(RightsRequest)
class RightsRequestAdmin(ReadOnlyAdmin):
    list_display = ("entry", "channel", "created_at", "sent_at", "expires_at", "outcome")
    list_filter = ("channel", "outcome")
    exclude = ("token", "proof_code")


@admin.register(ConsentEvidence)
class ConsentEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("entry", "kind", "at", "terms_version", "link")
    list_filter = ("kind",)


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("entry", "kind", "person_name", "signed_at", "recorded_by")
    list_filter = ("kind",)


@admin.register(Eligibility)
class EligibilityAdmin(ReadOnlyAdmin):
    list_display = ("request", "user", "country", "guardian_confirmed", "code_used")


@admin.register(CampaignRightsPolicy)
class CampaignRightsPolicyAdmin(admin.ModelAdmin):
    list_display = ("campaign", "public_display", "consent_hashtag", "request_expiry_days")
