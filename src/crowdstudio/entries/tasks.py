"""Background jobs of the entries app. Each takes ids, loads what it needs and calls a service."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django_tasks import task

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
