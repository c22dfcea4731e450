"""Inter-rater agreement statistics for calibration sessions: pure numpy, no Django.

Every function takes ``ratings`` as a units × raters table (a list of lists or a 2-D array),
where None, NaN and empty strings mean "not rated". Undefined cases raise AgreementError
(a ValueError) with a message saying why; no function returns NaN.
"""

from qalibrate.agreement.alpha import AlphaInterval, krippendorff_alpha, krippendorff_alpha_ci
from qalibrate.agreement.icc import ICC_KEYS, icc
from qalibrate.agreement.kappa import fleiss_kappa, gwet_ac1, percent_agreement
from qalibrate.agreement.ratings import LEVELS, AgreementError

__all__ = [
    "ICC_KEYS",
    "LEVELS",
    "AgreementError",
    "AlphaInterval",
    "fleiss_kappa",
    "gwet_ac1",
    "icc",
    "krippendorff_alpha",
    "krippendorff_alpha_ci",
    "percent_agreement",
]
