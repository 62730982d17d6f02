"""Web routes of the community app, included at the site root by crowdstudio.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from crowdstudio.community import views

urlpatterns: list[URLPattern] = [
    path("e/<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("c/<slug:slug>/reports/", views.community_reports, name="community_reports"),
    path("e/<int:pk>/review/", views.review_save, name="review_save"),
    path("e/<int:pk>/follow/", views.follow_entry, name="follow_entry"),
    path("c/<slug:slug>/follow/", views.follow_campaign, name="follow_campaign"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("me/notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("me/notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("me/notifications/settings/", views.notification_settings, name="notification_settings"),
    path("unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
