from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudioConfig(AppConfig):
    name = "crowdstudio.studio"
    verbose_name = _("Studio")

    def ready(self) -> None:
        # Registers the renders as a source of "works that used this entry" for the rights app,
        # in every process (web, worker, commands).
        from crowdstudio.studio import selectors  # noqa: F401
