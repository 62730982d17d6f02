from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "crowdstudio.api"
    verbose_name = "API"
