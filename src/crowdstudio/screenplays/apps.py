from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreenplaysConfig(AppConfig):
    name = "crowdstudio.screenplays"
    verbose_name = _("Screenplays")
