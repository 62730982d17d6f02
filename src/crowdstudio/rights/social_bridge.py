"""The few things the rights app needs from the social app, in one place.

The social app (identities, imports, connectors) is built alongside this one; everything the
rights services ask of it goes through these functions, so tests replace them with fakes and a
change on the social side is fixed here once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models

from crowdstudio.social.connectors.base import ConnectorError, Post

#: `refetch` answers this when no connector can be asked (the post is then judged as polled).
UNAVAILABLE = object()


def reply(*, entry: Any, text: str) -> Post | None:
    """Reply publicly to the entry's original post; None where the network does not allow it."""
    from crowdstudio.social import services

    result = services.reply_post(entry=entry, text=text)
    return result if isinstance(result, Post) else None


def refetch(*, campaign: Any, network: str, post_id: str) -> Any:
    """The post as it is now (None when deleted), or UNAVAILABLE when no connector is at hand.

    Uses `social.services.connector_for(campaign=..., network=...)` when the social app offers it.
    """
    from crowdstudio.social import services

    factory = getattr(services, "connector_for", None)
    if factory is None:
        return UNAVAILABLE
    try:
        connector = factory(campaign=campaign, network=network)
        if connector is None:
            return UNAVAILABLE
        return connector.fetch_post(post_id)
    except ConnectorError:
        return UNAVAILABLE


def identity_for(entry: Any) -> Any | None:
    """The social identity whose placeholder user authored the entry, if any."""
    from crowdstudio.social import services

    finder = getattr(services, "identity_for_entry", None)
    if finder is not None:
        return finder(entry)
    try:
        from crowdstudio.social import models as social_models
    except ImportError:  # pragma: no cover - the app always exists
        return None
    identity_model = getattr(social_models, "SocialIdentity", None)
    if identity_model is None:
        return None
    user_model = settings.AUTH_USER_MODEL.lower()
    for field in identity_model._meta.get_fields():
        related = getattr(field, "related_model", None)
        if (
            isinstance(field, models.ForeignKey | models.OneToOneField)
            and related is not None
            and related._meta.label_lower == user_model
        ):
            found = identity_model.objects.filter(**{field.name: entry.author_id}).first()
            if found is not None:
                return found
    return None


def claim(*, entry: Any, user: Any, now: datetime) -> bool:
    """Move the entry (and the identity's other entries) to the user who proved the handle."""
    identity = identity_for(entry)
    if identity is None:
        return False
    from crowdstudio.social import services

    services.identity_claim(identity=identity, user=user, now=now)  # type: ignore[attr-defined]
    return True
