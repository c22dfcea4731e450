"""What calibration tells the apps above it, so it need not import them (docs/architecture.md):
``session_completed`` is sent inside the completion's transaction, once the session is locked;
the history app keeps the session's figures from it."""

from django.dispatch import Signal

session_completed = Signal()  # sender: CalibrationSession, keyword: session
