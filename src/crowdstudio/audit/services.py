from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from crowdstudio.audit.models import AuditEvent

#: Keys whose values never reach the log: any key containing one of these words, and the
#: exact names of fields that carry eligibility codes.
_SECRET_WORDS = ("password", "secret", "token", "tax_id")
_SECRET_KEYS = frozenset({"code", "codes", "raw_code"})


def _is_secret(key: str) -> bool:
    lowered = key.lower()
    return lowered in _SECRET_KEYS or any(word in lowered for word in _SECRET_WORDS)


def _mask(data: dict[str, Any]) -> dict[str, Any]:
    return {key: ("***" if _is_secret(key) else value) for key, value in data.items()}


def log_action(
    obj: models.Model,
    action: str,
    *,
    user: Any = None,
    data: dict[str, Any] | None = None,
    organisation_id: int | None = None,
    campaign_id: int | None = None,
    now: Any = None,
) -> AuditEvent:
    """Record a decision about `obj` with a namespaced action code (e.g. "entry.approved")."""
    actor = user if getattr(user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        created_at=now or timezone.now(),
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        organisation_id=organisation_id,
        campaign_id=campaign_id,
        data=_mask(data or {}),
    )
