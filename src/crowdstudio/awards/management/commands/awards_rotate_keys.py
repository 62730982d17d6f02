"""Re-encrypt stored payee secrets with the newest key of CROWDSTUDIO_FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crowdstudio.awards.services import payee_details_rotate_keys


class Command(BaseCommand):
    help = "Re-encrypt taxpayer ids and payout accounts with the newest field-encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = payee_details_rotate_keys()
        self.stdout.write(f"Re-encrypted the payee details of {count} people.")
