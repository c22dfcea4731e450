"""Published worked examples: each figure is the one printed in the cited source."""

import numpy as np
import pytest

from qalibrate.agreement import (
    fleiss_kappa,
    gwet_ac1,
    icc,
    krippendorff_alpha,
    percent_agreement,
)

nan = np.nan

# K. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for
# Communication, University of Pennsylvania: the reliability data with missing values for
# 4 observers (A-D) x 12 units, used there for every level of measurement. Published alphas:
# nominal .743, ordinal .815, interval .849, ratio .797. Transposed here to units x raters.
KRIPPENDORFF_2011 = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],  # observer A
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],  # observer B
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],  # observer C
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],  # observer D
    ]
).T


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_example(level, published):
    assert krippendorff_alpha(KRIPPENDORFF_2011, level=level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_2011_example_with_words_and_a_domain():
    # The same data coded as words; the domain gives their order for the ordinal metric.
    words = ["very low", "low", "mid", "high", "very high"]
    ratings = [
        [None if np.isnan(v) else words[int(v) - 1] for v in row] for row in KRIPPENDORFF_2011
    ]
    assert krippendorff_alpha(ratings, level="nominal") == pytest.approx(0.743, abs=5e-4)
    assert krippendorff_alpha(ratings, level="ordinal", domain=words) == pytest.approx(
        0.815, abs=5e-4
    )


# J. L. Fleiss (1971), "Measuring nominal scale agreement among many raters", Psychological
# Bulletin 76(5):378-382, Table 1: 30 patients, each diagnosed by 6 psychiatrists (not the same
# six for every patient) into 5 categories. Each row counts the raters per category
# (depression, personality disorder, schizophrenia, neurosis, other). Published: P = .556,
# p_j = .144 .144 .167 .306 .239, kappa = .430.
FLEISS_1971_COUNTS = [
    [0, 0, 0, 6, 0],
    [0, 3, 0, 0, 3],
    [0, 1, 4, 0, 1],
    [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2],
    [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0],
    [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0],
    [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0],
    [1, 0, 0, 5, 0],
    [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1],
    [3, 0, 0, 1, 2],
    [5, 1, 0, 0, 0],
    [0, 2, 0, 4, 0],
    [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6],
    [0, 1, 0, 5, 0],
    [0, 2, 0, 1, 3],
    [2, 0, 0, 4, 0],
    [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0],
    [4, 0, 0, 0, 2],
    [0, 2, 0, 4, 0],
    [1, 0, 5, 0, 0],
    [0, 0, 0, 0, 6],
]


def fleiss_1971_ratings():
    # Kappa only uses the counts per patient, so the six ratings can be laid out in any order.
    return [
        [category for category, count in enumerate(row, start=1) for _ in range(count)]
        for row in FLEISS_1971_COUNTS
    ]


def test_fleiss_1971_example():
    ratings = fleiss_1971_ratings()
    assert fleiss_kappa(ratings) == pytest.approx(0.430, abs=5e-4)
    assert percent_agreement(ratings) == pytest.approx(0.556, abs=5e-4)


# P. E. Shrout and J. L. Fleiss (1979), "Intraclass correlations: uses in assessing rater
# reliability", Psychological Bulletin 86(2):420-428, Table 2: 6 targets rated by 4 judges.
# Published: ICC(1,1)=.17 ICC(2,1)=.29 ICC(3,1)=.71 ICC(1,4)=.44 ICC(2,4)=.62 ICC(3,4)=.91.
SHROUT_FLEISS_1979 = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]
SHROUT_FLEISS_1979_ICC = {
    "ICC1": 0.17,
    "ICC2": 0.29,
    "ICC3": 0.71,
    "ICC1k": 0.44,
    "ICC2k": 0.62,
    "ICC3k": 0.91,
}


def test_shrout_fleiss_1979_example():
    published = SHROUT_FLEISS_1979_ICC
    result = icc(SHROUT_FLEISS_1979)
    assert set(result) == set(published)
    for key, value in published.items():
        assert result[key] == pytest.approx(value, abs=0.005), key


# Gwet's AC1 for the 4 raters x 12 units data of K. L. Gwet (2014), "Handbook of Inter-Rater
# Reliability", 4th ed. (the Krippendorff 2011 data above, distributed as
# irrCAC.datasets.raw_4raters): the irrCAC documentation (module docstring of irrCAC.raw,
# irrCAC 0.4.4) prints AC1 = 0.77544, pa = 0.81818, pe = 0.19032.
def test_gwet_ac1_example_from_irrcac_documentation():
    assert gwet_ac1(KRIPPENDORFF_2011) == pytest.approx(0.77544, abs=5e-6)
    assert percent_agreement(KRIPPENDORFF_2011) == pytest.approx(0.81818, abs=5e-6)


# Fleiss' kappa with missing ratings as K. L. Gwet (2014), "Handbook of Inter-Rater Reliability",
# 4th ed., ch. 2, generalised it, on the same 4 raters x 12 units: the irrCAC documentation
# (module docstring of irrCAC.raw, irrCAC 0.4.4, ``cac4raters.fleiss()``) prints kappa = 0.76117,
# pa = 0.81818, pe = 0.23872. Unit 12 has a single rating: it counts in the category shares
# (pe) but not in the observed agreement (pa).
def test_fleiss_kappa_with_missing_ratings_as_gwet_generalised_it():
    assert fleiss_kappa(KRIPPENDORFF_2011) == pytest.approx(0.76117, abs=5e-6)
    assert percent_agreement(KRIPPENDORFF_2011) == pytest.approx(0.81818, abs=5e-6)
    # Dropping the single-rated unit changes the shares, so it changes kappa (to 0.76248).
    assert fleiss_kappa(KRIPPENDORFF_2011[:11]) == pytest.approx(0.76248, abs=5e-6)
