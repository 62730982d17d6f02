"""Who may see a screenplay and who may post a revision of it (CONVENTIONS §4).

Seeing follows the entry: an approved script in a public campaign is public; the writer and the
organisation's team see theirs at any time; everyone else gets a 404. Revising follows the
collaboration setting; the writer and the team may always post.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from crowdstudio.accounts.permissions import Capability, has_capability, organisations_with
from crowdstudio.campaigns.models import CampaignStatus
from crowdstudio.entries.models import EntryStatus
from crowdstudio.screenplays.models import (
    AccessStatus,
    Collaboration,
    CollaboratorAccess,
    Screenplay,
    ScriptVersion,
)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_writer(user: Any, screenplay: Screenplay) -> bool:
    return _signed_in(user) and screenplay.writer_id == user.pk


def is_team(user: Any, screenplay: Screenplay) -> bool:
    """A member of the organising team (Capability.VIEW_BACKOFFICE) of the screenplay's campaign."""
    campaign = screenplay.campaign
    if campaign is None:
        return False
    return has_capability(user, campaign.organisation_id, Capability.VIEW_BACKOFFICE)


def is_public(screenplay: Screenplay) -> bool:
    entry = screenplay.entry
    campaign = screenplay.campaign
    if entry is None or campaign is None:
        return False
    return entry.status == EntryStatus.APPROVED and campaign.is_public


def can_view_screenplay(user: Any, screenplay: Screenplay) -> bool:
    return is_public(screenplay) or is_writer(user, screenplay) or is_team(user, screenplay)


def screenplays_visible_to(user: Any) -> QuerySet[Screenplay]:
    """`can_view_screenplay` as a query."""
    visible = Q(entry__status=EntryStatus.APPROVED) & ~Q(campaign__status=CampaignStatus.DRAFT)
    if _signed_in(user):
        visible |= Q(writer=user)
        visible |= Q(
            campaign__organisation_id__in=organisations_with(user, Capability.VIEW_BACKOFFICE)
        )
    return Screenplay.objects.filter(visible).select_related("campaign", "entry", "writer")


def get_screenplay_for_user(user: Any, pk: int) -> Screenplay:
    """The screenplay, or 404 when this person may not know it exists."""
    screenplay = (
        Screenplay.objects.select_related("campaign__organisation", "entry", "writer")
        .filter(pk=pk)
        .first()
    )
    if screenplay is None or not can_view_screenplay(user, screenplay):
        raise Http404("No such screenplay")
    return screenplay


def get_version_for_user(user: Any, pk: int, number: int) -> ScriptVersion:
    screenplay = get_screenplay_for_user(user, pk)
    version = (
        ScriptVersion.objects.select_related("author", "original")
        .filter(screenplay=screenplay, number=number)
        .first()
    )
    if version is None:
        raise Http404("No such version")
    version.screenplay = screenplay
    return version


def require_writer(user: Any, screenplay: Screenplay) -> None:
    """Only the writer may change the setting and decide on access (403 for anyone else)."""
    if not is_writer(user, screenplay):
        raise PermissionDenied


def access_of(user: Any, screenplay: Screenplay) -> CollaboratorAccess | None:
    if not _signed_in(user):
        return None
    return CollaboratorAccess.objects.filter(screenplay=screenplay, user=user).first()


def revise_refusal(user: Any, screenplay: Screenplay) -> str | None:
    """Why this person may not post a revision now, or None when they may."""
    if not _signed_in(user):
        return _("Sign in to post a revision.")
    if not can_view_screenplay(user, screenplay):
        return _("You cannot see this screenplay.")
    if is_writer(user, screenplay) or is_team(user, screenplay):
        return None
    if not getattr(user, "is_active", True):
        return _("Your account is not active.")
    if screenplay.collaboration == Collaboration.OPEN:
        return None
    if screenplay.collaboration == Collaboration.BY_PERMISSION:
        access = access_of(user, screenplay)
        if access is not None and access.status == AccessStatus.GRANTED:
            return None
        return _("The writer has not given you permission to post revisions.")
    return _("The writer does not accept revisions of this screenplay.")


def can_revise(user: Any, screenplay: Screenplay) -> bool:
    return revise_refusal(user, screenplay) is None
