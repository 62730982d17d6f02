from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from crowdstudio.demo import load_demo


class Command(BaseCommand):
    help = "Load generated demo data (an organisation, its team, a photo campaign, a contest)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--photos", type=int, default=36)

    def handle(self, *args: Any, photos: int, **options: Any) -> None:
        try:
            summary = load_demo(photos=photos, stdout=self.stdout)
        except RuntimeError as refused:
            raise CommandError(str(refused)) from refused
        if summary.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary.photos} photos."))
        else:
            self.stdout.write("Demo data already present.")
