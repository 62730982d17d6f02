"""Who may see or act on a comment: whoever may see its entry; hidden ones only for moderators
(and the author, who is told it was hidden)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crowdstudio.accounts.permissions import Capability, has_capability
from crowdstudio.community.models import Comment
from crowdstudio.entries.access import can_view_entry


def get_comment_for_user(user: Any, pk: int, capability: Capability | None = None) -> Comment:
    comment = (
        Comment.objects.select_related("entry__campaign", "entry__author", "author")
        .filter(pk=pk)
        .first()
    )
    if comment is None or not can_view_entry(user, comment.entry):
        raise Http404("No such comment")
    org_id = comment.entry.campaign.organisation_id
    is_author = getattr(user, "is_authenticated", False) and comment.author_id == user.pk
    if (
        comment.is_hidden
        and not is_author
        and not has_capability(user, org_id, Capability.MODERATE)
    ):
        raise Http404("No such comment")
    if capability is not None and not has_capability(user, org_id, capability):
        raise PermissionDenied
    return comment
