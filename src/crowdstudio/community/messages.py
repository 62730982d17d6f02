"""The words of a notification, rendered when shown so they follow the reader's language.

A notification stores its kind and a snapshot of the names it needs (`data`); these functions
turn that into a sentence and a link under the active language (the page's, or the recipient's
`language` when a digest is mailed, see `services.digest_send`).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# One sentence per kind; lazy, so each is translated when shown, in the active language.
_TEXTS: dict[str, Any] = {
    NotificationKind.REVIEW_ON_MY_ENTRY: gettext_lazy(
        "%(actor)s reviewed your entry “%(entry)s” (%(rating)s of 5)."
    ),
    NotificationKind.REVIEW_ON_FOLLOWED_ENTRY: gettext_lazy(
        "%(actor)s reviewed “%(entry)s”, an entry you follow."
    ),
    NotificationKind.COMMENT_ON_MY_ENTRY: gettext_lazy(
        "%(actor)s commented on your entry “%(entry)s”."
    ),
    NotificationKind.COMMENT_REPLY: gettext_lazy(
        "%(actor)s replied to your comment on “%(entry)s”."
    ),
    NotificationKind.COMMENT_ON_FOLLOWED_ENTRY: gettext_lazy(
        "%(actor)s commented on “%(entry)s”, an entry you follow."
    ),
    NotificationKind.ENTRY_APPROVED: gettext_lazy(
        "Your entry “%(entry)s” in %(campaign)s was approved and is live."
    ),
    NotificationKind.ENTRY_REJECTED: gettext_lazy(
        "Your entry “%(entry)s” in %(campaign)s was not accepted."
    ),
    NotificationKind.ROUND_OPENED: gettext_lazy("%(round)s of %(campaign)s is open."),
    NotificationKind.ROUND_CLOSED: gettext_lazy("%(round)s of %(campaign)s has closed."),
    NotificationKind.RESULTS_PUBLISHED: gettext_lazy(
        "The results of %(round)s of %(campaign)s are out."
    ),
}


def notification_text(n: Notification) -> str:
    text = _TEXTS.get(n.kind)
    if text is None:
        return _("Something happened on crowdstudio.")
    return str(text) % _names(n)


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
