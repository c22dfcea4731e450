from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "qalibrate.api"
    label = "api"

    def ready(self):
        # Registers the OpenAPI description of the token authentication.
        from qalibrate.api import schema  # noqa: F401
