from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "qalibrate.history"
    verbose_name = _("History")

    def ready(self) -> None:
        from qalibrate.calibration.signals import session_completed
        from qalibrate.history import receivers

        session_completed.connect(receivers.record_completed_session, dispatch_uid="history")
