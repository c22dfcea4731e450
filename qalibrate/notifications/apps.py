from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "qalibrate.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from qalibrate.certification.signals import certification_started
        from qalibrate.double_scoring.signals import pair_completed, pair_drawn
        from qalibrate.notifications import receivers

        pair_completed.connect(receivers.pair_completed, dispatch_uid="notifications")
        pair_drawn.connect(receivers.pair_drawn, dispatch_uid="notifications")
        certification_started.connect(receivers.certification_started, dispatch_uid="notifications")
