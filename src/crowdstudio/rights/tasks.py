"""Background jobs of the rights app. Each takes ids, loads what it needs and calls a service."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django_tasks import task

from crowdstudio.entries.models import Entry
from crowdstudio.rights import services


@task()
def send_withdrawal_notice(entry_id: int, works: list[dict[str, str]]) -> int:
    """Tell the organisation's owners and producers that consent was withdrawn, listing the
    published works that used the entry. Returns how many people were written to."""
    entry = Entry.objects.select_related("campaign__organisation", "author").get(pk=entry_id)
    recipients = services.withdrawal_recipients(entry)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = services.withdrawal_message(entry, works)
    send_mail(subject, body, None, recipients)
    return len(recipients)
