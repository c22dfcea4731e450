"""What calibration tells the apps above it, so it need not import them (docs/architecture.md).
Both are sent inside the transaction of the change: ``session_completed`` once the session is
locked (the history app keeps its figures), ``session_changed`` at every step of a session's
life (the webhooks app queues its deliveries)."""

from django.dispatch import Signal

session_completed = Signal()  # sender: CalibrationSession, keyword: session
# keywords: session, event ("planned", "rescheduled", "opened", "revealed", "completed",
# "cancelled")
session_changed = Signal()
