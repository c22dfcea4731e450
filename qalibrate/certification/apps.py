from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "qalibrate.certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from qalibrate.certification import receivers
        from qalibrate.evaluations.signals import evaluation_changed

        evaluation_changed.connect(receivers.evaluation_event, dispatch_uid="certification")
