import pytest
from django.utils import translation

from qalibrate.core.templatetags.qalibrate_tags import percent, signed


@pytest.mark.parametrize(
    ("share", "decimals", "shown"),
    [(0.6087, 0, "61%"), (0.6049, 0, "60%"), (0.8666, 1, "86.7%"), (1, 0, "100%"), (0, 0, "0%")],
)
def test_percent_rounds_rather_than_cuts(share, decimals, shown):
    assert percent(share, decimals) == shown


def test_percent_in_swedish_uses_a_decimal_comma():
    with translation.override("sv"):
        assert percent(0.8666, 1) == "86,7%"


@pytest.mark.parametrize(
    ("value", "shown"), [(2.56, "+2.6"), (-13.36, "−13.4"), (0.04, "0.0"), (-0.04, "0.0")]
)
def test_signed(value, shown):
    assert signed(value) == shown
