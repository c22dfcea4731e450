from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DoubleScoringConfig(AppConfig):
    name = "qalibrate.double_scoring"
    verbose_name = _("Double scoring")

    def ready(self) -> None:
        from qalibrate.double_scoring import receivers
        from qalibrate.evaluations.signals import evaluation_changed

        evaluation_changed.connect(receivers.evaluation_event, dispatch_uid="double_scoring")
