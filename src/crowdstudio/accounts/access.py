"""Who may act for an organisation (CONVENTIONS §4)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crowdstudio.accounts.models import Organisation
from crowdstudio.accounts.permissions import Capability, has_capability


def get_organisation_for_user(user: Any, slug: str, capability: Capability) -> Organisation:
    """404 to anyone outside the organisation; 403 to members without the capability."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not has_capability(
        user, organisation.id, Capability.VIEW_BACKOFFICE
    ):
        raise Http404("No such organisation")
    if not has_capability(user, organisation.id, capability):
        raise PermissionDenied
    return organisation
