from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "qalibrate.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from qalibrate.double_scoring.signals import pair_completed
        from qalibrate.notifications import receivers

        pair_completed.connect(receivers.pair_completed, dispatch_uid="notifications")
