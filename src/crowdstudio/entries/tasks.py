"""Background jobs of the entries app. Each takes ids, loads what it needs and calls a service."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import TaskResultStatus, task

from crowdstudio.entries import services
from crowdstudio.entries.models import Entry


@task()
def intake_asset(asset_id: int) -> str:
    return services.intake_process_asset(asset_id=asset_id)


@task()
def intake_sweep() -> list[int]:
    return services.intake_recover_stale()


@task()
def send_decision_email(entry_id: int) -> bool:
    entry = Entry.objects.select_related("author", "campaign").get(pk=entry_id)
    if not entry.author.email:
        return False
    with translation.override(entry.author.language or settings.LANGUAGE_CODE):
        subject, body = services.decision_email(entry)
    send_mail(subject, body, None, [entry.author.email])
    return True


def close_abandoned_intake_results(*, now: datetime | None = None) -> int:
    """Mark intake task records left RUNNING by a killed worker as failed.

    The work itself is safe (the asset's lease runs out and the sweep queues it again); this only
    keeps the task table honest for operators. Only intake tasks are touched, because their
    lease says how long a run may take. Returns how many records were closed.
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    lease = timedelta(seconds=settings.CROWDSTUDIO_INTAKE_LEASE_SECONDS)
    return DBTaskResult.objects.filter(
        task_path=intake_asset.module_path,
        status=TaskResultStatus.RUNNING,
        started_at__lt=now - lease,
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="crowdstudio.entries.tasks.WorkerLost",
        traceback="The worker stopped during this run; the intake sweep queued the file again.",
    )
