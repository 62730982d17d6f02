from django.contrib import admin

from crowdstudio.entries.models import (
    Asset,
    Entry,
    NearDuplicate,
    OriginalFile,
    PerceptualHash,
    Rendition,
    Track,
)


class AssetInline(admin.TabularInline):
    model = Asset
    extra = 0
    fields = (
        "original_name",
        "status",
        "kind",
        "mime",
        "width",
        "height",
        "duration",
        "error_code",
    )
    readonly_fields = fields
    can_delete = False


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "author", "status", "created_at"]
    list_filter = ["status", "campaign"]
    search_fields = ["title", "author__username"]
    # Status changes go through the moderation services so they are audited.
    readonly_fields = [
        "status",
        "status_message",
        "terms_version",
        "terms_accepted_at",
        "submission_key",
        "created_at",
        "moderated_by",
        "moderated_at",
    ]
    inlines = [AssetInline]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["original_name", "entry", "status", "kind", "mime", "attempts"]
    list_filter = ["status", "kind"]
    readonly_fields = [
        "original",
        "status",
        "attempts",
        "lease_until",
        "error_code",
        "error_message",
    ]


@admin.register(OriginalFile)
class OriginalFileAdmin(admin.ModelAdmin):
    list_display = ["sha256", "size", "detected_type", "created_at"]
    readonly_fields = ["sha256", "size", "storage_name", "detected_type"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # originals are only removed by an audited erasure request


@admin.register(Rendition)
class RenditionAdmin(admin.ModelAdmin):
    list_display = ["asset", "role", "content_type", "width", "height"]


@admin.register(PerceptualHash)
class PerceptualHashAdmin(admin.ModelAdmin):
    list_display = ["asset", "campaign", "value"]


@admin.register(NearDuplicate)
class NearDuplicateAdmin(admin.ModelAdmin):
    list_display = ["asset", "other", "distance"]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["title", "artist", "campaign", "duration", "created_at"]
    readonly_fields = ["original", "audio", "duration", "mime"]
