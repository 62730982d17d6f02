from django.contrib import admin

from crowdstudio.judging.models import (
    ConflictOfInterest,
    Criterion,
    CriterionScore,
    JuryMember,
    ResultRow,
    ResultSnapshot,
    Scorecard,
)


@admin.register(JuryMember)
class JuryMemberAdmin(admin.ModelAdmin):
    list_display = ["round", "number", "user", "added_at"]
    list_filter = ["round"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["round", "position", "name", "weight", "scale_min", "scale_max"]
    list_filter = ["round"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["round", "judge", "entry", "reason", "declared_at"]
    list_filter = ["round"]


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["round", "judge", "entry", "status", "updated_at"]
    list_filter = ["status", "round"]
    inlines = [CriterionScoreInline]


@admin.register(CriterionScore)
class CriterionScoreAdmin(admin.ModelAdmin):
    list_display = ["scorecard", "criterion", "value"]


class ResultRowInline(admin.TabularInline):
    model = ResultRow
    extra = 0
    can_delete = False


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(admin.ModelAdmin):
    list_display = ["round", "computed_at", "method", "published_at"]
    readonly_fields = ["published_at"]
    inlines = [ResultRowInline]


@admin.register(ResultRow)
class ResultRowAdmin(admin.ModelAdmin):
    list_display = ["snapshot", "rank", "entry", "points", "decided_by"]
