from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from crowdstudio.api.urls import api
from crowdstudio.campaigns import views as campaign_views
from crowdstudio.entries import views as entry_views

urlpatterns = [
    path("", campaign_views.campaign_list, name="home"),
    path("c/<slug:slug>/", campaign_views.campaign_detail, name="campaign"),
    path("c/<slug:slug>/gallery/", campaign_views.campaign_gallery, name="campaign_gallery"),
    path("c/<slug:slug>/enter/", entry_views.entry_create, name="entry_create"),
    path("e/<int:pk>/", entry_views.entry_detail, name="entry"),
    path("e/<int:pk>/status/", entry_views.entry_status, name="entry_status"),
    path("me/entries/", entry_views.my_entries, name="my_entries"),
    path("me/tokens/", campaign_views.api_tokens, name="api_tokens"),
    path("studio/", campaign_views.studio_home, name="studio"),
    path("studio/<slug:org>/new/", campaign_views.campaign_new, name="campaign_new"),
    path("c/<slug:slug>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("c/<slug:slug>/status/", campaign_views.campaign_status, name="campaign_status"),
    path("c/<slug:slug>/rounds/", campaign_views.round_create, name="round_create"),
    path("c/<slug:slug>/rounds/<int:number>/", campaign_views.round_edit, name="round_edit"),
    path("c/<slug:slug>/prizes/", campaign_views.prize_create, name="prize_create"),
    path(
        "c/<slug:slug>/prizes/<int:pk>/remove/",
        campaign_views.prize_remove,
        name="prize_remove",
    ),
    path("c/<slug:slug>/terms/", campaign_views.terms_edit, name="terms_edit"),
    path("c/<slug:slug>/codes/", campaign_views.codes_create, name="codes_create"),
    path("c/<slug:slug>/audit/", campaign_views.campaign_audit, name="campaign_audit"),
    path("c/<slug:slug>/tracks/", entry_views.track_upload, name="track_upload"),
    path("c/<slug:slug>/moderation/", entry_views.moderation_queue, name="moderation_queue"),
    path("c/<slug:slug>/moderation/bulk/", entry_views.moderation_bulk, name="moderation_bulk"),
    path("moderation/<int:pk>/", entry_views.moderation_detail, name="moderation_detail"),
    path("moderation/<int:pk>/decide/", entry_views.moderation_decide, name="moderation_decide"),
    path("how-it-works/privacy/", campaign_views.privacy, name="privacy"),
    path("", include("crowdstudio.community.urls")),
    path("", include("crowdstudio.voting.urls")),
    path("", include("crowdstudio.judging.urls")),
    path("", include("crowdstudio.awards.urls")),
    path("", include("crowdstudio.social.urls")),
    path("", include("crowdstudio.rights.urls")),
    path("", include("crowdstudio.studio.urls")),
    path("", include("crowdstudio.screenplays.urls")),
    path("api/", api.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    # Only the public rendition storage is served; originals live outside MEDIA_ROOT.
    urlpatterns += [
        re_path(r"^media/(?P<path>r/.+)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler400 = "crowdstudio.campaigns.views.error_400"
handler403 = "crowdstudio.campaigns.views.error_403"
handler404 = "crowdstudio.campaigns.views.error_404"
handler500 = "crowdstudio.campaigns.views.error_500"
