"""Background jobs of the community app. Each takes ids, loads what it needs and calls a service."""

from __future__ import annotations

from django_tasks import task

from crowdstudio.community import services


@task()
def send_digest(user_id: int) -> int:
    return services.digest_send(user_id=user_id)
