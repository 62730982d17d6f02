"""Admin pages of the social app. Sources change through the studio pages (audited); the
credentials never appear here."""

from __future__ import annotations

from django.contrib import admin

from crowdstudio.social.models import (
    HashtagSource,
    ImportedPost,
    InstagramHashtagUse,
    SocialIdentity,
)


@admin.register(HashtagSource)
class HashtagSourceAdmin(admin.ModelAdmin):
    list_display = ["hashtag", "network", "campaign", "status", "last_polled_at", "next_poll_at"]
    list_filter = ["network", "status"]
    exclude = ["credentials_encrypted"]
    readonly_fields = ["cursor", "consent_cursor", "lease_until", "queued_at", "last_error"]


@admin.register(SocialIdentity)
class SocialIdentityAdmin(admin.ModelAdmin):
    list_display = ["handle", "network", "remote_id", "claimed_by", "claimed_at"]
    list_filter = ["network"]
    raw_id_fields = ["user", "claimed_by"]


@admin.register(ImportedPost)
class ImportedPostAdmin(admin.ModelAdmin):
    list_display = ["post_id", "network", "campaign", "outcome", "skip_reason", "imported_at"]
    list_filter = ["network", "outcome"]
    raw_id_fields = ["source", "campaign", "author", "entry"]


@admin.register(InstagramHashtagUse)
class InstagramHashtagUseAdmin(admin.ModelAdmin):
    list_display = ["account", "hashtag", "searched_at"]
