from __future__ import annotations

from django.contrib import admin

from crowdstudio.screenplays.models import (
    CollaboratorAccess,
    ElementComment,
    Screenplay,
    ScriptVersion,
    TableRead,
    TestMovie,
    VersionParent,
)


@admin.register(Screenplay)
class ScreenplayAdmin(admin.ModelAdmin):
    list_display = ["title", "writer", "campaign", "collaboration", "created_at"]
    list_filter = ["collaboration"]
    raw_id_fields = ["campaign", "entry", "writer"]
    search_fields = ["title"]


class VersionParentInline(admin.TabularInline):
    model = VersionParent
    fk_name = "child"
    raw_id_fields = ["parent"]
    extra = 0


@admin.register(ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    list_display = ["screenplay", "number", "author", "source_format", "page_count", "created_at"]
    raw_id_fields = ["screenplay", "author", "original"]
    inlines = [VersionParentInline]


@admin.register(VersionParent)
class VersionParentAdmin(admin.ModelAdmin):
    list_display = ["child", "parent", "position"]
    raw_id_fields = ["child", "parent"]


@admin.register(CollaboratorAccess)
class CollaboratorAccessAdmin(admin.ModelAdmin):
    list_display = ["screenplay", "user", "status", "requested_at", "decided_at"]
    raw_id_fields = ["screenplay", "user", "decided_by"]


@admin.register(ElementComment)
class ElementCommentAdmin(admin.ModelAdmin):
    list_display = ["version", "element_index", "author", "from_note", "created_at"]
    raw_id_fields = ["version", "author"]


@admin.register(TableRead)
class TableReadAdmin(admin.ModelAdmin):
    list_display = ["version", "status", "percent", "engine", "created_at"]
    raw_id_fields = ["version", "requested_by"]


@admin.register(TestMovie)
class TestMovieAdmin(admin.ModelAdmin):
    list_display = ["entry", "version", "declared_by", "created_at"]
    raw_id_fields = ["entry", "version", "declared_by"]
