from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "qalibrate.webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from qalibrate.calibration.signals import session_changed
        from qalibrate.evaluations.signals import evaluation_changed
        from qalibrate.webhooks import receivers

        session_changed.connect(receivers.session_event, dispatch_uid="webhooks")
        evaluation_changed.connect(receivers.evaluation_event, dispatch_uid="webhooks")
