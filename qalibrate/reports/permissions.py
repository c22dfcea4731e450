"""Who may read a session's report (docs/architecture.md): its page, its CSV, Excel and PDF
files and the API's report all ask here."""

from qalibrate.accounts.models import User
from qalibrate.calibration.models import CalibrationSession
from qalibrate.calibration.permissions import can_see_answers


def can_see_report(user: User, session: CalibrationSession) -> bool:
    """The report names who answered what, so it follows the discussion's rule: after the
    reveal, QA staff and the session's evaluators (calibration.permissions.can_see_answers).
    The session itself must be one the user sees (CalibrationSession.objects.visible_to)."""
    return can_see_answers(user, session)
