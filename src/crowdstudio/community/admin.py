from django.contrib import admin

from crowdstudio.community.models import (
    Comment,
    CommentReport,
    CommentVersion,
    Follow,
    Notification,
    NotificationSettings,
    Review,
    ReviewVersion,
)


class CommentVersionInline(admin.TabularInline):
    model = CommentVersion
    extra = 0
    readonly_fields = ("body", "replaced_at")
    can_delete = False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "entry", "author", "created_at", "hidden_at", "deleted_at"]
    list_filter = ["hidden_at", "deleted_at"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["entry", "author", "parent", "hidden_by"]
    # Hiding goes through the moderation service so it is audited.
    readonly_fields = ["hidden_at", "hidden_by", "hidden_reason", "deleted_at", "edited_at"]
    inlines = [CommentVersionInline]


@admin.register(CommentVersion)
class CommentVersionAdmin(admin.ModelAdmin):
    list_display = ["comment", "replaced_at"]
    raw_id_fields = ["comment"]


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reporter", "reason", "created_at", "resolved_at"]
    list_filter = ["reason"]
    raw_id_fields = ["comment", "reporter"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["entry", "author", "rating", "created_at", "edited_at"]
    raw_id_fields = ["entry", "author"]


@admin.register(ReviewVersion)
class ReviewVersionAdmin(admin.ModelAdmin):
    list_display = ["review", "rating", "replaced_at"]
    raw_id_fields = ["review"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "entry", "campaign", "created_at"]
    raw_id_fields = ["user", "entry", "campaign"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "actor", "campaign", "entry", "round"]


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "digest", "last_digest_at"]
    raw_id_fields = ["user"]
