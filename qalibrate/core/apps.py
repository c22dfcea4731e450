from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qalibrate.core"
    verbose_name = _("Core")

    def ready(self):
        from qalibrate.core import jobs_logging

        jobs_logging.connect()
