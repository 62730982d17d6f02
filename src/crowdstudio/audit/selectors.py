from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from crowdstudio.audit.models import AuditEvent


def audit_for_object(obj: models.Model) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")


def audit_for_campaign(campaign_id: int) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(campaign_id=campaign_id).select_related("actor")
