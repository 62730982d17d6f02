"""The few things the rights app needs from the social app, in one place.

Everything the rights services ask of the social app goes through these functions, so tests
replace them with fakes. The imports are local: the social app imports the rights services too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crowdstudio.social.connectors.base import ConnectorError, Post

#: `refetch` answers this when no connector can be asked (the post is then judged as polled).
UNAVAILABLE = object()


def reply(*, entry: Any, text: str) -> Post | None:
    """Reply publicly to the entry's original post; None where the network does not allow it."""
    from crowdstudio.social import services

    return services.reply_post(entry=entry, text=text)


def refetch(*, campaign: Any, network: str, post_id: str) -> Any:
    """The post as it is now (None when deleted), or UNAVAILABLE when no connector is at hand."""
    from crowdstudio.social import services

    try:
        connector = services.connector_for(campaign=campaign, network=network)
        if connector is None:
            return UNAVAILABLE
        return connector.fetch_post(post_id)
    except ConnectorError:
        return UNAVAILABLE


def claim(*, entry: Any, user: Any, now: datetime) -> bool:
    """Move the entry (and the identity's other entries) to the user who proved the handle."""
    from crowdstudio.social import services

    identity = services.identity_for_entry(entry)
    if identity is None:
        return False
    services.identity_claim(identity=identity, user=user, now=now)
    return True
