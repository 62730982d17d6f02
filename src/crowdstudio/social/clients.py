"""Building a network client for a hashtag source: the one place that knows the constructors."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from crowdstudio.lib import crypto
from crowdstudio.social.connectors.base import Connector, NotAuthorised
from crowdstudio.social.models import HashtagSource, InstagramHashtagUse, Network


def source_secret(source: HashtagSource) -> str:
    """The source's clear-text token or app password ("" when none is set)."""
    if not source.credentials_encrypted:
        return ""
    try:
        return crypto.decrypt(source.credentials_encrypted)
    except ValueError as error:
        # A removed encryption key: the organiser has to enter the credentials again.
        raise NotAuthorised(
            "The stored credentials cannot be read any more; enter them again."
        ) from error


def connector_for(source: HashtagSource) -> Connector:
    """The client for `source`'s network, configured with its instance and credentials."""
    secret = source_secret(source)
    timeout = float(getattr(settings, "CROWDSTUDIO_SOCIAL_HTTP_TIMEOUT", 15.0))
    # How far back the first poll of a new source walks (pages); `since` stops it earlier.
    backfill = int(getattr(settings, "CROWDSTUDIO_SOCIAL_BACKFILL_PAGES", 100))
    if source.network == Network.MASTODON:
        from crowdstudio.social.connectors.mastodon import MastodonConnector

        return MastodonConnector(
            instance=source.instance,
            access_token=secret,
            backfill_pages=backfill,
            not_before=source.since,
            timeout=timeout,
        )
    if source.network == Network.BLUESKY:
        from crowdstudio.social.connectors.bluesky import BlueskyConnector

        return BlueskyConnector(
            identifier=source.account,
            app_password=secret,
            service=source.instance or "https://bsky.social",
            backfill_pages=backfill,
            not_before=source.since,
            timeout=timeout,
        )
    if source.network == Network.INSTAGRAM:
        from crowdstudio.social.connectors.instagram import QUOTA_WINDOW, InstagramConnector

        # The hashtags this account searched in the last 7 days, so the client refuses a 31st
        # before asking (the poller has already counted this source's tag).
        searched = dict(
            InstagramHashtagUse.objects.filter(
                account=source.account, searched_at__gt=timezone.now() - QUOTA_WINDOW
            ).values_list("hashtag", "searched_at")
        )
        return InstagramConnector(
            ig_user_id=source.account,
            access_token=secret,
            graph_base=getattr(
                settings,
                "CROWDSTUDIO_SOCIAL_INSTAGRAM_GRAPH_BASE",
                "https://graph.facebook.com/v21.0",
            ),
            searched=searched,
            timeout=timeout,
        )
    raise ValueError(f"Unknown network {source.network!r}")
