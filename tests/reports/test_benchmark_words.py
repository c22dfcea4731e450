"""The words beside a benchmark reading (qalibrate.reports.benchmark_words)."""

import pytest
from django.utils import translation

from qalibrate.agreement.interpretation import SCALES, benchmark
from qalibrate.reports.benchmark_words import LEVEL_WORDS, SCALE_NAMES, describe


def test_every_level_and_scale_has_words():
    keys = {lv.key for scale in SCALES.values() for lv in scale.levels}
    assert set(LEVEL_WORDS) == keys
    assert set(SCALE_NAMES) == set(SCALES)


def test_the_english_words():
    with translation.override("en"):
        assert str(LEVEL_WORDS["almost_perfect"]) == "almost perfect"
        assert str(LEVEL_WORDS["intermediate_to_good"]) == "intermediate to good"
        assert str(SCALE_NAMES["landis_koch"]) == "Landis & Koch (1977)"


@pytest.mark.parametrize(
    ("value", "se", "scale", "expected"),
    [
        # irrCAC's benchmarking vignette (kgwet/irrCAC a215b7f, inst/doc/benchmarking.html,
        # lines 346-362): AC1 0.77544, standard error 0.14295; "moderate" has CumProb 0.99542
        # on Landis & Koch, "Intermediate to Good" 0.99542 on Fleiss.
        (0.77544, 0.14295, "landis_koch", "moderate or better, with 99% probability"),
        (0.77544, 0.14295, "fleiss", "intermediate to good or better, with 99% probability"),
        # afergadis/irrCAC's documented example: 0.67 with 0.15, Fleiss CumProb 0.96356.
        (0.67, 0.15, "fleiss", "intermediate to good or better, with 96% probability"),
        # The top level needs no "or better"; 0.9999... is not shown as a certain 100%.
        (0.97, 0.02, "landis_koch", "almost perfect, with 99% probability"),
        # "Poor or better" says nothing: too uncertain to read on the scale.
        (0.3, 0.5, "altman", "too uncertain to rate"),
        # Poor for sure (a low value, a small error): just the word.
        (0.05, 0.02, "altman", "poor"),
        # No standard error: the plain reading, just the word.
        (0.77544, None, "landis_koch", "substantial"),
        (0.5, 0, "fleiss", "intermediate to good"),
    ],
)
def test_describe_in_english(value, se, scale, expected):
    with translation.override("en"):
        assert describe(benchmark(value, se, scale)) == expected


def test_describe_rounds_the_percent_down():
    # Landis & Koch at 0.77544 +- 0.14295 with a 0.5 threshold retains "substantial" with
    # CumProb 0.88336 (the vignette's line 347): 88%, not 88.3% nor 89%.
    result = benchmark(0.77544, 0.14295, threshold=0.5)
    assert result.cumulative == pytest.approx(0.88336, abs=5e-6)
    with translation.override("en"):
        assert describe(result) == "substantial or better, with 88% probability"
