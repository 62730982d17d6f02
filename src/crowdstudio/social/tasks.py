"""Background jobs of the social app. Each takes ids, loads what it needs and calls a service."""

from __future__ import annotations

from django_tasks import task

from crowdstudio.social import services
from crowdstudio.social.models import HashtagSource


@task()
def poll_source(source_id: int) -> str:
    source = HashtagSource.objects.filter(pk=source_id).first()
    if source is None:
        return "gone"
    return services.source_poll(source=source).outcome
