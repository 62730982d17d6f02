from __future__ import annotations

from django.contrib import admin

from crowdstudio.studio.models import Montage, MontageRender, MontageRenderUse, TrackAnalysis


@admin.register(TrackAnalysis)
class TrackAnalysisAdmin(admin.ModelAdmin):
    list_display = ["track", "tempo", "version", "analysed_at"]
    raw_id_fields = ["track"]


@admin.register(Montage)
class MontageAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "track", "seed", "plan_revision", "updated_at"]
    raw_id_fields = ["campaign", "track", "created_by"]


class MontageRenderUseInline(admin.TabularInline):
    model = MontageRenderUse
    raw_id_fields = ["entry", "asset", "rights_record", "consent_evidence", "terms_version"]
    extra = 0


@admin.register(MontageRender)
class MontageRenderAdmin(admin.ModelAdmin):
    list_display = ["montage", "shape", "status", "percent", "created_at", "finished_at"]
    list_filter = ["status", "shape"]
    raw_id_fields = ["montage", "requested_by"]
    inlines = [MontageRenderUseInline]


@admin.register(MontageRenderUse)
class MontageRenderUseAdmin(admin.ModelAdmin):
    list_display = ["render", "entry", "asset", "credited_as"]
    raw_id_fields = [
        "render",
        "entry",
        "asset",
        "rights_record",
        "consent_evidence",
        "terms_version",
    ]
