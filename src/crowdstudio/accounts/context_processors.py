from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crowdstudio.accounts.permissions import Capability, organisations_with


def memberships(request: HttpRequest) -> dict[str, Any]:
    """Whether to show the studio link in the navigation."""
    user = getattr(request, "user", None)
    return {"has_studio": bool(organisations_with(user, Capability.VIEW_BACKOFFICE))}
