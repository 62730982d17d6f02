"""The words of a notification, rendered when shown so they follow the reader's language.

A notification stores its kind and a snapshot of the names it needs (`data`); these functions
turn that into a sentence and a link under the active language (the page's, or the recipient's
`language` when a digest is mailed, see `services.digest_send`).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from crowdstudio.community.models import Notification, NotificationKind


def _names(n: Notification) -> dict[str, Any]:
    data = n.data or {}
    return {
        "actor": data.get("actor", "") or _("Someone"),
        "entry": data.get("entry", ""),
        "campaign": data.get("campaign", ""),
        "round": data.get("round", ""),
        "rating": data.get("rating", ""),
    }


def notification_text(n: Notification) -> str:
    names = _names(n)
    kind = n.kind
    if kind == NotificationKind.REVIEW_ON_MY_ENTRY:
        return _("%(actor)s reviewed your entry “%(entry)s” (%(rating)s of 5).") % names
    if kind == NotificationKind.REVIEW_ON_FOLLOWED_ENTRY:
        return _("%(actor)s reviewed “%(entry)s”, an entry you follow.") % names
    if kind == NotificationKind.COMMENT_ON_MY_ENTRY:
        return _("%(actor)s commented on your entry “%(entry)s”.") % names
    if kind == NotificationKind.COMMENT_REPLY:
        return _("%(actor)s replied to your comment on “%(entry)s”.") % names
    if kind == NotificationKind.COMMENT_ON_FOLLOWED_ENTRY:
        return _("%(actor)s commented on “%(entry)s”, an entry you follow.") % names
    if kind == NotificationKind.ENTRY_APPROVED:
        return _("Your entry “%(entry)s” in %(campaign)s was approved and is live.") % names
    if kind == NotificationKind.ENTRY_REJECTED:
        return _("Your entry “%(entry)s” in %(campaign)s was not accepted.") % names
    if kind == NotificationKind.ROUND_OPENED:
        return _("%(round)s of %(campaign)s is open.") % names
    if kind == NotificationKind.ROUND_CLOSED:
        return _("%(round)s of %(campaign)s has closed.") % names
    if kind == NotificationKind.RESULTS_PUBLISHED:
        return _("The results of %(round)s of %(campaign)s are out.") % names
    return _("Something happened on crowdstudio.")


def notification_path(n: Notification) -> str:
    """Where the notification leads (a path on this site)."""
    data = n.data or {}
    if n.entry_id is not None:
        if n.kind == NotificationKind.ENTRY_REJECTED:
            return reverse("my_entries")
        anchor = f"#comment-{data['comment']}" if data.get("comment") else ""
        if n.kind in (
            NotificationKind.REVIEW_ON_MY_ENTRY,
            NotificationKind.REVIEW_ON_FOLLOWED_ENTRY,
        ):
            anchor = "#reviews"
        return reverse("entry", kwargs={"pk": n.entry_id}) + anchor
    if data.get("campaign_slug"):
        return reverse("campaign", kwargs={"slug": data["campaign_slug"]})
    return reverse("notifications")
