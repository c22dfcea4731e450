"""The ``qalibrate agreement`` command line: CSV forms, output formats and bad input."""

import dataclasses
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from scipy import stats

from qalibrate.agreement import (
    fleiss_kappa,
    gwet_ac1,
    icc,
    krippendorff_alpha,
    krippendorff_alpha_ci,
    percent_agreement,
)
from qalibrate.agreement.cli import main
from qalibrate.agreement.interpretation import benchmark
from tests.agreement.test_coefficients import PUBLISHED_4_RATERS
from tests.agreement.test_published import KRIPPENDORFF_2011

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "qalibrate agreement: error:"
JSON_KEYS = [
    "n_units",
    "n_raters",
    "n_ratings",
    "level",
    "percent_agreement",
    "krippendorff_alpha",
    "alpha_ci",
    "fleiss_kappa",
    "gwet_ac1",
    "icc",
    "alpha_interval",
    "icc_intervals",
    "weights",
    "confidence",
    "interval",
    "population",
    "benchmark_scale",
    "coefficients",
]

# Krippendorff's (2011) example, wide: one row per unit, one column per observer.
WIDE = """unit,A,B,C,D
1,1,1,,1
2,2,2,3,2
3,3,3,3,3
4,3,3,3,3
5,2,2,2,2
6,1,2,3,4
7,4,4,4,4
8,1,1,2,1
9,2,2,2,2
10,,5,5,5
11,,,1,1
12,,3,,
"""
RATINGS = KRIPPENDORFF_2011  # what WIDE holds


def long_form(wide: str) -> str:
    header, *rows = [line.split(",") for line in wide.strip().splitlines()]
    lines = ["unit,rater,value"]
    for row in rows:
        lines += [
            f"{row[0]},{rater},{value}" for rater, value in zip(header[1:], row[1:], strict=True)
        ]
    return "\n".join(lines) + "\n"


def write(tmp_path, text, name="ratings.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return str(path)


def run_json(capsys, *args):
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_wide_csv_json(tmp_path, capsys):
    report = run_json(capsys, write(tmp_path, WIDE))
    assert list(report) == JSON_KEYS
    assert (report["n_units"], report["n_raters"], report["n_ratings"]) == (12, 4, 41)
    assert report["level"] == "nominal"
    assert report["percent_agreement"] == pytest.approx(percent_agreement(RATINGS))
    assert report["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    assert report["fleiss_kappa"] == pytest.approx(fleiss_kappa(RATINGS))
    assert report["gwet_ac1"] == pytest.approx(gwet_ac1(RATINGS))
    assert report["alpha_ci"] == [report["alpha_interval"][k] for k in ("low", "high")]
    assert report["alpha_interval"]["method"] == "jackknife"
    assert report["icc"] is None and report["icc_intervals"] is None
    assert (report["weights"], report["confidence"], report["interval"]) == (
        "identity",
        0.95,
        "auto",
    )
    assert (report["population"], report["benchmark_scale"]) == (None, "landis_koch")
    assert list(report["coefficients"]) == [
        "percent_agreement",
        "ac1",
        "fleiss_kappa",
        "brennan_prediger",
        "conger_kappa",
        "krippendorff_alpha",
    ]


def test_long_csv_gives_the_same_report(tmp_path, capsys):
    wide = run_json(capsys, write(tmp_path, WIDE), "--level", "ordinal")
    long = run_json(capsys, write(tmp_path, long_form(WIDE), "long.csv"), "--level", "ordinal")
    assert long == wide
    assert long["krippendorff_alpha"] == pytest.approx(0.815, abs=5e-4)


def test_long_csv_in_any_order_with_missing_lines(tmp_path, capsys):
    text = "unit,rater,value\nc2,bob,no\nc1,ann,yes\nc1,bob,yes\nc2,ann,yes\nc3,cy,no\nc3,ann,no\n"
    report = run_json(capsys, write(tmp_path, text))
    assert (report["n_units"], report["n_raters"], report["n_ratings"]) == (3, 3, 6)
    expected = [["no", "yes", None], ["yes", "yes", None], [None, "no", "no"]]
    assert report["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(expected))


@pytest.mark.parametrize("form", ["wide", "long"])
def test_utf8_byte_order_mark(tmp_path, capsys, form):
    text = WIDE if form == "wide" else long_form(WIDE)
    plain = run_json(capsys, write(tmp_path, text, "plain.csv"))
    with_bom = run_json(capsys, write(tmp_path, text, "bom.csv", encoding="utf-8-sig"))
    assert with_bom == plain


def test_interval_level_with_bootstrap(tmp_path, capsys):
    args = [write(tmp_path, WIDE), "--level", "interval", "--bootstrap", "300", "--seed", "5"]
    report = run_json(capsys, *args)
    assert report["krippendorff_alpha"] == pytest.approx(0.849, abs=5e-4)
    expected = krippendorff_alpha_ci(RATINGS, "interval", n_boot=300, seed=5)
    assert report["alpha_ci"] == pytest.approx([expected.low, expected.high])
    assert report["alpha_ci"] == run_json(capsys, *args)["alpha_ci"]
    interval = report["alpha_interval"]
    assert (interval["method"], interval["resamples"], interval["n"]) == ("bootstrap", 300, 11)
    assert interval["se"] is None
    # Kappa and AC1 are for categories; the panel has gaps, so no ICC.
    assert report["fleiss_kappa"] is None and report["gwet_ac1"] is None
    assert report["icc"] is None


def test_icc_for_a_complete_panel(tmp_path, capsys):
    text = "call,ann,bob,cy,dee\nc1,9,2,5,8\nc2,6,1,3,2\nc3,8,4,6,8\nc4,7,1,2,6\nc5,10,5,6,9\nc6,6,2,4,7\n"
    report = run_json(capsys, write(tmp_path, text), "--level", "ratio")
    panel = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    assert report["icc"] == pytest.approx(icc(panel))
    assert list(report["icc"]) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    assert run_json(capsys, write(tmp_path, text))["icc"] is None  # nominal level


def test_domain_orders_words(tmp_path, capsys):
    text = "unit,a,b,c\n1,poor,fair,poor\n2,good,good,fair\n3,fair,fair,fair\n4,good,poor,good\n"
    path = write(tmp_path, text)
    report = run_json(capsys, path, "--level", "ordinal", "--domain", "poor, fair, good")
    numbers = [[1, 2, 1], [3, 3, 2], [2, 2, 2], [3, 1, 3]]
    assert report["krippendorff_alpha"] == pytest.approx(
        krippendorff_alpha(numbers, level="ordinal")
    )
    # AC1 counts every category of the domain, used or not.
    report = run_json(capsys, path, "--domain", "poor,fair,good,excellent")
    assert report["gwet_ac1"] == pytest.approx(gwet_ac1(numbers, domain=[1, 2, 3, 4]), abs=1e-12)


def test_table_format(tmp_path, capsys):
    assert main([write(tmp_path, WIDE), "--bootstrap", "200", "--seed", "1"]) == 0
    title, blank, *rows = capsys.readouterr().out.splitlines()
    assert title == "Agreement in ratings.csv (nominal level): 12 units, 4 raters, 41 ratings"
    assert blank == ""
    rows = rows[: rows.index("")]  # the figures at the level; the family follows
    # Columns are separated by two or more spaces: statistic, value (right-aligned), n.
    cells = [re.fullmatch(r"\s*(.+?)\s{2,}(\S.*?)\s{2,}(\S.*)", row) for row in rows]
    assert all(cells), rows
    assert len({cell.end(2) for cell in cells}) == 1
    table = {cell[1]: (cell[2], cell[3]) for cell in cells}
    assert table["statistic"] == ("value", "n")
    assert table["percent agreement"] == ("0.818", "11 units with 2+ ratings")
    assert table["Krippendorff's alpha"] == ("0.743", "40 pairable ratings in 11 units")
    assert table["95% bootstrap CI"][1] == "200 resamples of units"
    assert re.fullmatch(r"-?\d\.\d{3} to -?\d\.\d{3}", table["95% bootstrap CI"][0])
    assert table["Gwet's AC1"] == ("0.775", "12 rated units")
    assert table["ICC"] == ("n/a", "needs interval or ratio level")


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "no such file"),
        ("", [], "is empty"),
        ("unit,ann\n1,3\n2,4\n", [], "at least two raters"),
        ("unit,ann,bob\n1,yes,no\n2,no,no\n", ["--level", "interval"], "numeric ratings"),
        ("unit,ann,bob\n", [], "no ratings"),
        ("unit,ann,bob\n1,3,3\n2,3,3\n", [], "same value"),
        ("unit,ann,bob\n1,3,4,5\n", [], "3 ratings for 2 raters"),
        ("unit,rater,value\nc1,ann,3\nc1,ann,4\n", [], "twice"),
        ("unit,ann,bob\n1,a,b\n", ["--level", "ordinal"], "domain"),
        ("unit,ann,bob\n1,1,2\n2,2,2\n", ["--domain", "a,b"], "must list numbers"),
    ],
    ids=[
        "missing file",
        "empty file",
        "one rater",
        "words at interval level",
        "header only",
        "one value",
        "too many cells",
        "duplicate rating",
        "ordinal words without domain",
        "word domain for numbers",
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(tmp_path, capsys, content, args, message):
    path = str(tmp_path / "missing.csv") if content is None else write(tmp_path, content)
    assert main([path, *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(PREFIX)
    assert message in lines[0]


def test_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.csv"
    path.write_bytes("unit,a,b\n1,tr\xe8s bien,bien\n".encode("latin-1"))
    assert main([str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"{PREFIX} cannot read")


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main([write(tmp_path, WIDE), "--level", "cardinal"]) == 2
    assert main([write(tmp_path, WIDE), "--bootstrap", "0"]) == 2
    assert "usage: qalibrate agreement" in capsys.readouterr().err


@pytest.mark.slow
def test_runs_as_a_module(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qalibrate.agreement.cli",
            write(tmp_path, WIDE),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    failed = subprocess.run(
        [sys.executable, "-m", "qalibrate.agreement.cli", str(tmp_path / "nope.csv")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1 and failed.stderr.startswith(PREFIX)


@pytest.mark.slow
def test_the_qalibrate_command_runs_it_without_django(tmp_path):
    """`qalibrate agreement` needs no settings or database: it runs even with a broken one."""
    import json as _json
    import os as _os
    import subprocess as _subprocess
    import sys as _sys

    data = tmp_path / "wide.csv"
    data.write_text("unit,a,b\n1,yes,yes\n2,no,yes\n3,no,no\n4,yes,yes\n")
    environment = {**_os.environ, "QALIBRATE_DATABASE_URL": "broken"}
    result = _subprocess.run(
        [_sys.executable, "-m", "qalibrate", "agreement", str(data), "--format", "json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    figures = _json.loads(result.stdout)
    assert (figures["n_units"], figures["n_raters"], figures["percent_agreement"]) == (4, 2, 0.75)


# --- Input that cannot be misread (issue 14, item 9) -----------------------------------------


def assert_one_line_error(capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(PREFIX)
    assert message in lines[0]


@pytest.mark.parametrize("header", ["Unit,Rater,Value", "UNIT,rater,Value", " unit , rater ,value"])
def test_long_form_header_in_any_case(tmp_path, capsys, header):
    expected = run_json(capsys, write(tmp_path, WIDE))
    text = long_form(WIDE).replace("unit,rater,value", header, 1)
    assert run_json(capsys, write(tmp_path, text, "long.csv")) == expected


def test_long_form_takes_its_columns_by_name_and_ignores_others(tmp_path, capsys):
    expected = run_json(capsys, write(tmp_path, WIDE))
    header, *rows = [line.split(",") for line in long_form(WIDE).splitlines()]
    lines = ["Rater,comment,Unit,Value"] + [
        f"{rater},checked by x,{unit},{value}" for unit, rater, value in rows
    ]
    assert header == ["unit", "rater", "value"]
    text = "\n".join(lines) + "\n"
    assert run_json(capsys, write(tmp_path, text, "long.csv")) == expected


def test_long_form_without_a_value_column(tmp_path, capsys):
    path = write(tmp_path, "unit,rater,score\nc1,ann,3\nc1,bob,4\n")
    assert_one_line_error(capsys, [path], "long form needs one 'value' column")


@pytest.mark.parametrize("token", ["NA", "N/A", "n/a", "na"])
def test_na_tokens_are_missing(tmp_path, capsys, token):
    expected = run_json(capsys, write(tmp_path, WIDE))
    wide = WIDE.replace("1,1,,1", f"1,1,{token},1").replace("11,,,1,1", f"11,{token},,1,1")
    assert run_json(capsys, write(tmp_path, wide, "na.csv")) == expected
    long = long_form(WIDE).replace("12,A,\n", f"12,A,{token}\n")
    assert run_json(capsys, write(tmp_path, long, "long.csv")) == expected


def test_na_tokens_are_configurable(tmp_path, capsys):
    text = "unit,ann,bob,cy\n1,yes,yes,skip\n2,no,no,no\n3,yes,-,no\n4,NA,NA,yes\n"
    plain = "unit,ann,bob,cy\n1,yes,yes,\n2,no,no,no\n3,yes,,no\n4,NA,NA,yes\n"
    path = write(tmp_path, text)
    # With --na the default tokens are replaced: "NA" is now a category.
    assert run_json(capsys, path, "--na", "skip,-") == run_json(
        capsys, write(tmp_path, plain, "plain.csv"), "--na", ""
    )
    report = run_json(capsys, write(tmp_path, plain, "plain.csv"), "--na", "")
    assert report["n_ratings"] == 10


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolons_tabs_and_decimal_commas(tmp_path, capsys, delimiter):
    comma = "unit,ann,bob,cy\nc1,4.5,4,4.5\nc2,2,2.5,2\nc3,3,,3.5\nc4,1,1.5,1\n"
    expected = run_json(capsys, write(tmp_path, comma), "--level", "interval")
    local = comma.replace(",", delimiter).replace(".", ",")
    report = run_json(capsys, write(tmp_path, local, "local.csv"), "--level", "interval")
    assert report == expected
    assert (report["n_raters"], report["n_ratings"]) == (3, 11)


def test_a_comma_inside_a_semicolon_files_names(tmp_path, capsys):
    text = "unit;Cole, James;Shah, Priya\nc1;4,5;4\nc2;2;2,5\nc3;3;3\n"
    report = run_json(capsys, write(tmp_path, text), "--level", "interval")
    expected = krippendorff_alpha([[4.5, 4], [2, 2.5], [3, 3]], level="interval")
    assert report["n_raters"] == 2
    assert report["krippendorff_alpha"] == pytest.approx(expected)


def test_duplicate_unit_ids_are_an_error_naming_them(tmp_path, capsys):
    text = "unit,ann,bob\nc1,3,4\nc2,2,2\nc1,3,3\nc3,1,2\n"
    assert_one_line_error(capsys, [write(tmp_path, text)], "'c1' (lines 2, 4)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-1"], "argument --seed: expected a whole number 0 or more, got '-1'"),
        (["--seed", "x"], "argument --seed"),
        (["--bootstrap", "0"], "argument --bootstrap: expected a positive whole number"),
        (["--bootstrap", "-5"], "argument --bootstrap: expected a positive whole number"),
    ],
)
def test_seed_and_resamples_are_checked(tmp_path, capsys, args, message):
    assert_one_line_error(capsys, [write(tmp_path, WIDE), "--bootstrap", "10", *args], message)


def test_huge_values_are_computed(tmp_path, capsys):
    # 1e200 squared overflows; interval alpha does not change when every value is scaled.
    text = "unit,ann,bob\n1,1e200,2e200\n2,2e200,2e200\n3,3e200,4e200\n"
    report = run_json(capsys, write(tmp_path, text), "--level", "interval")
    expected = krippendorff_alpha([[1, 2], [2, 2], [3, 4]], level="interval")
    assert report["krippendorff_alpha"] == pytest.approx(expected)


def test_values_too_large_for_a_number(tmp_path, capsys):
    text = "unit,ann,bob\n1,1e400,2\n2,2,2\n3,3,4\n"
    assert_one_line_error(capsys, [write(tmp_path, text)], "rating 1e400 is too large")


@pytest.mark.parametrize(
    "error", [ValueError("bad\nvalue"), UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")]
)
def test_unexpected_value_errors_are_one_line(tmp_path, capsys, monkeypatch, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("qalibrate.agreement.cli.build_report", fail)
    assert_one_line_error(capsys, [write(tmp_path, WIDE)], "bad")


def test_csv_errors_are_one_line(tmp_path, capsys):
    # A cell longer than the csv module's field limit (131,072 characters).
    text = "unit,ann,bob\n1," + "x" * 200_000 + ",y\n2,y,y\n"
    assert_one_line_error(capsys, [write(tmp_path, text)], "not valid CSV")


# --- The agreement family, its intervals and benchmarks (issue 14, item 10) ------------------

# Gwet's cac.raw4raters (Gwet 2014, Handbook of Inter-Rater Reliability, 4th ed., table 2.13;
# irrCAC README): Krippendorff's example, with unit 12 rated by the third rater only.
CAC_RAW_4_RATERS = WIDE.replace("12,,3,,", "12,,,3,")
# PUBLISHED_4_RATERS: what the irrCAC README (github.com/kgwet/irrCAC, "Computing agreement
# coefficients from raw ratings") prints for cac.raw4raters.
# irrCAC's benchmarking vignette (inst/doc/benchmarking.html, lines 343-364) reads AC1 = 0.77544
# (se 0.14295) of the same data: the level retained by the 95% rule, its cumulative probability
# and the cumulative probability of the level above it.
VIGNETTE_READINGS = {
    "landis_koch": ("moderate", 0.99542, 0.88336),
    "altman": ("moderate", 0.99542, 0.88336),
    "fleiss": ("intermediate_to_good", 0.99542, 0.54414),
}


def ratings_array(text: str) -> np.ndarray:
    """The wide CSV text as a float units × raters array, NaN for an empty cell."""
    rows = [line.split(",")[1:] for line in text.strip().splitlines()[1:]]
    width = max(len(row) for row in rows)
    return np.array(
        [
            [float(cell) if cell else np.nan for cell in row + [""] * (width - len(row))]
            for row in rows
        ]
    )


def test_family_with_gwets_interval_as_published(tmp_path, capsys):
    report = run_json(capsys, write(tmp_path, CAC_RAW_4_RATERS), "--interval", "gwet")
    assert report["interval"] == "gwet"
    for name, (value, se, (low, high)) in PUBLISHED_4_RATERS.items():
        got = report["coefficients"][name]
        assert got["value"] == pytest.approx(value, abs=5e-6), name
        assert got["se"] == pytest.approx(se, abs=5e-6), name
        assert (round(got["low"], 3), got["high"]) == (low, high), name
        assert (got["n"], got["weights"], got["confidence"]) == (12, "identity", 0.95)


@pytest.mark.parametrize("scale", sorted(VIGNETTE_READINGS))
def test_benchmark_readings_as_in_gwets_vignette(tmp_path, capsys, scale):
    path = write(tmp_path, CAC_RAW_4_RATERS)
    # Gwet's symmetric t interval, read with the standard error it shows: Gwet's se × t(11) /
    # z(0.975), not quite the vignette's normal reading with se, so that comes from the module.
    report = run_json(capsys, path, "--benchmark-scale", scale, "--interval", "gwet")
    ac1 = PUBLISHED_4_RATERS["ac1"]
    implied = ac1[1] * 2.200985 / 1.959964
    expected = benchmark(ac1[0], implied, scale)
    assert report["coefficients"]["ac1"]["benchmark"]["level"] == expected.level
    assert report["coefficients"]["ac1"]["benchmark"]["cumulative"] == pytest.approx(
        expected.cumulative, abs=1e-4
    )
    # The vignette's own figures, read with Gwet's se as published (interpretation.benchmark).
    level, cumulative, above = VIGNETTE_READINGS[scale]
    reading = dataclasses.asdict(benchmark(ac1[0], ac1[1], scale))
    assert (reading["scale"], reading["level"]) == (scale, level)
    # The published standard error is rounded to 5 places, hence the tolerance.
    assert reading["cumulative"] == pytest.approx(cumulative, abs=1e-4)
    assert reading["probability"] == pytest.approx(cumulative - above, abs=1e-4)
    # Percent agreement counts chance agreement as agreement: the scales are not for it.
    assert report["coefficients"]["percent_agreement"]["benchmark"] is None


def test_family_table_in_words(tmp_path, capsys):
    assert main([write(tmp_path, CAC_RAW_4_RATERS)]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Chance-corrected agreement, identity weights")
    assert lines[start + 1].startswith("95% intervals: chosen by the coverage benchmark")
    header, *rows = lines[start + 3 :]
    assert re.split(r"\s{2,}", header) == [
        "coefficient",
        "value",
        "se",
        "95% CI",
        "n",
        "Landis & Koch (1977)",
    ]
    table = {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", row) for row in rows)}
    assert list(table) == [
        "percent agreement",
        "Gwet's AC1",
        "Fleiss' kappa",
        "Brennan-Prediger",
        "Conger's kappa",
        "Krippendorff's alpha",
    ]
    value, se, interval, n, words = table["Gwet's AC1"]
    assert (value, se, n) == ("0.775", "0.143", "12")
    assert re.fullmatch(r"0\.\d{3} to 0\.\d{3}", interval)
    # Read with the interval's own spread (its low end is 0.24, "fair"), not Gwet's se alone
    # (the vignette's "moderate or better, with 99%"), so words and interval agree.
    assert words == "fair or better, with 97% probability"
    assert table["percent agreement"][-1] == "not chance-corrected: no benchmark"


@pytest.mark.parametrize("interval", ["auto", "jackknife_z", "jackknife", "gwet"])
def test_every_interval_method_runs(tmp_path, capsys, interval):
    report = run_json(capsys, write(tmp_path, CAC_RAW_4_RATERS), "--interval", interval)
    assert report["interval"] == interval
    for name, (value, se, _) in PUBLISHED_4_RATERS.items():
        got = report["coefficients"][name]
        # Only the interval differs: the value and Gwet's standard error are the published ones.
        assert (got["value"], got["se"]) == pytest.approx((value, se), abs=5e-6), name
        assert got["low"] < got["value"] <= got["high"], name


def test_coefficients_option_chooses_and_orders(tmp_path, capsys):
    path = write(tmp_path, CAC_RAW_4_RATERS)
    report = run_json(capsys, path, "--coefficients", "conger_kappa, ac1,conger_kappa")
    assert list(report["coefficients"]) == ["conger_kappa", "ac1"]
    assert report["coefficients"]["ac1"]["value"] == pytest.approx(0.77544, abs=5e-6)
    assert main([path, "--coefficients", "krippendorff_alpha"]) == 0
    family = capsys.readouterr().out.split("Chance-corrected agreement")[1].splitlines()[4:]
    assert [row.split("  ")[0] for row in family] == ["Krippendorff's alpha"]


def test_a_coefficient_undefined_for_the_ratings_is_null(tmp_path, capsys, monkeypatch):
    from qalibrate.agreement import cli

    def without_conger(*args, **kwargs):
        family = cli.agreement_coefficients.__wrapped__(*args, **kwargs)
        del family["conger_kappa"]
        return family

    without_conger.__wrapped__ = cli.agreement_coefficients
    monkeypatch.setattr(cli, "agreement_coefficients", without_conger)
    path = write(tmp_path, CAC_RAW_4_RATERS)
    assert run_json(capsys, path)["coefficients"]["conger_kappa"] is None
    assert main([path]) == 0
    row = next(r for r in capsys.readouterr().out.splitlines() if r.startswith("Conger's kappa"))
    assert re.split(r"\s{2,}", row) == ["Conger's kappa", "n/a", "undefined for these ratings"]


@pytest.mark.parametrize(
    ("level", "weights", "alpha_level"),
    [
        ("nominal", "identity", "nominal"),
        ("ordinal", "ordinal", None),
        ("interval", "quadratic", "interval"),
        ("ratio", "quadratic", "interval"),
    ],
)
def test_weights_follow_the_level(tmp_path, capsys, level, weights, alpha_level):
    report = run_json(capsys, write(tmp_path, WIDE), "--level", level)
    assert report["weights"] == weights
    assert {c["weights"] for c in report["coefficients"].values()} == {weights}
    if alpha_level:
        # With identity weights the family's alpha is nominal alpha, with quadratic weights
        # interval alpha (Gwet 2014, sec. 5.3); the krippendorff package computes both.
        data = ratings_array(WIDE).T
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement=alpha_level)
        assert report["coefficients"]["krippendorff_alpha"]["value"] == pytest.approx(expected)


def test_weights_option_overrides_the_level(tmp_path, capsys):
    report = run_json(capsys, write(tmp_path, WIDE), "--level", "ordinal", "--weights", "quadratic")
    expected = krippendorff.alpha(
        reliability_data=ratings_array(WIDE).T, level_of_measurement="interval"
    )
    assert report["coefficients"]["krippendorff_alpha"]["value"] == pytest.approx(expected)
    assert report["coefficients"]["ac1"]["weights"] == "quadratic"
    # Alpha at the level keeps Krippendorff's own ordinal metric.
    assert report["krippendorff_alpha"] == pytest.approx(0.815, abs=5e-4)
    assert main([write(tmp_path, WIDE), "--level", "ordinal"]) == 0
    assert "\nGwet's AC2  " in capsys.readouterr().out  # AC1 with weights is AC2


def test_words_take_order_weights_only_with_a_domain(tmp_path, capsys):
    text = "unit,a,b,c\n1,poor,fair,poor\n2,good,good,fair\n3,fair,fair,fair\n4,good,poor,good\n"
    path = write(tmp_path, text)
    assert_one_line_error(
        capsys, [path, "--weights", "linear"], "linear weights need the answers in order"
    )
    report = run_json(capsys, path, "--weights", "linear", "--domain", "poor,fair,good")
    numbers = run_json(
        capsys,
        write(tmp_path, "unit,a,b,c\n1,1,2,1\n2,3,3,2\n3,2,2,2\n4,3,1,3\n", "numbers.csv"),
        "--weights",
        "linear",
    )
    assert report["coefficients"] == numbers["coefficients"]


def test_confidence_level_applies_to_every_interval(tmp_path, capsys):
    path = write(tmp_path, CAC_RAW_4_RATERS)
    report = run_json(capsys, path, "--interval", "gwet", "--confidence", "0.9")
    quantile = stats.t.ppf(0.95, 11)  # 12 units: t with 11 degrees of freedom
    for name, (value, se, _) in PUBLISHED_4_RATERS.items():
        got = report["coefficients"][name]
        assert got["confidence"] == 0.9
        assert got["low"] == pytest.approx(value - quantile * se, abs=1e-4), name
        assert got["high"] == 1.0
    assert report["alpha_interval"]["confidence"] == 0.9
    wider = run_json(capsys, path)["alpha_interval"]
    assert wider["low"] < report["alpha_interval"]["low"]
    assert main([path, "--confidence", "0.9"]) == 0
    out = capsys.readouterr().out
    assert "  90% jackknife CI  " in out and "  90% CI  " in out


def test_alpha_interval_is_the_jackknife_over_units(tmp_path, capsys):
    """Alpha's t interval from leave-one-unit-out alphas of the krippendorff package (Efron &
    Tibshirani 1993, "An Introduction to the Bootstrap", ch. 11)."""
    report = run_json(capsys, write(tmp_path, WIDE), "--level", "ordinal", "--confidence", "0.9")
    table = ratings_array(WIDE)
    pairable = table[(~np.isnan(table)).sum(axis=1) >= 2]
    n = len(pairable)

    def alpha(units):
        return krippendorff.alpha(reliability_data=units.T, level_of_measurement="ordinal")

    replicates = np.array([alpha(np.delete(pairable, i, axis=0)) for i in range(n)])
    se = np.sqrt((n - 1) / n * ((replicates - replicates.mean()) ** 2).sum())
    margin = stats.t.ppf(0.95, n - 1) * se
    interval = report["alpha_interval"]
    assert (interval["method"], interval["n"], interval["resamples"]) == ("jackknife", n, None)
    assert interval["se"] == pytest.approx(se)
    assert interval["low"] == pytest.approx(alpha(pairable) - margin)
    assert interval["high"] == pytest.approx(min(1.0, alpha(pairable) + margin))
    assert report["alpha_ci"] == [interval["low"], interval["high"]]


def test_population_shrinks_the_standard_errors(tmp_path, capsys):
    path = write(tmp_path, CAC_RAW_4_RATERS)
    report = run_json(capsys, path, "--interval", "gwet", "--population", "40")
    assert report["population"] == 40
    for name, (_, se, _) in PUBLISHED_4_RATERS.items():
        # The finite-population correction: variance times 1 - n / N (Gwet 2014, ch. 5).
        expected = se * math.sqrt(1 - 12 / 40)
        assert report["coefficients"][name]["se"] == pytest.approx(expected, abs=1e-5), name
    infinite = run_json(capsys, path)["alpha_interval"]["se"]
    assert report["alpha_interval"]["se"] == pytest.approx(infinite * math.sqrt(1 - 11 / 40))
    assert main([path, "--population", "40"]) == 0
    assert ", for a population of 40 units\n" in capsys.readouterr().out


def test_icc_intervals_for_a_complete_panel(tmp_path, capsys, monkeypatch):
    pd = pytest.importorskip("pandas")
    pingouin = pytest.importorskip("pingouin")
    monkeypatch.setitem(pingouin.options, "round.column.CI95", None)
    # Shrout & Fleiss (1979), table 2: 6 targets × 4 judges.
    text = "call,ann,bob,cy,dee\nc1,9,2,5,8\nc2,6,1,3,2\nc3,8,4,6,8\nc4,7,1,2,6\nc5,10,5,6,9\nc6,6,2,4,7\n"
    report = run_json(capsys, write(tmp_path, text), "--level", "interval")
    panel = ratings_array(text)
    long = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(6), 4),
            "rater": np.tile(np.arange(4), 6),
            "score": panel.ravel(),
        }
    )
    rows = pingouin.intraclass_corr(data=long, targets="unit", raters="rater", ratings="score")
    rows = rows.set_index("Type")
    names = ["ICC(1,1)", "ICC(A,1)", "ICC(C,1)", "ICC(1,k)", "ICC(A,k)", "ICC(C,k)"]
    assert list(report["icc_intervals"]) == list(report["icc"])
    for key, name in zip(report["icc"], names, strict=True):
        got = report["icc_intervals"][key]
        assert got["value"] == pytest.approx(rows.loc[name, "ICC"]), key
        assert [got["low"], got["high"]] == pytest.approx(list(rows.loc[name, "CI95"])), key
        assert got["confidence"] == 0.95
    assert main([write(tmp_path, text), "--level", "interval"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\nICC2 +0\.290  6 units x 4 raters, 95% CI 0\.019 to 0\.761\n", out), out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--coefficients", "kappa"],
            "argument --coefficients: unknown coefficient 'kappa'; "
            "choose from percent_agreement, ac1, fleiss_kappa",
        ),
        (["--coefficients", "ac1,Fleiss"], "unknown coefficient 'Fleiss'"),
        (["--coefficients", " , "], "argument --coefficients: lists no coefficient"),
        (["--weights", "cubic"], "argument --weights: invalid choice: 'cubic'"),
        (["--weights", ""], "argument --weights: invalid choice: ''"),
        (
            ["--confidence", "95"],
            "argument --confidence: expected a number between 0 and 1, e.g. 0.95, got '95'",
        ),
        (["--confidence", "0"], "argument --confidence: expected a number between 0 and 1"),
        (["--confidence", "1"], "argument --confidence: expected a number between 0 and 1"),
        (["--confidence", "-0.5"], "argument --confidence: expected a number between 0 and 1"),
        (["--confidence", "nan"], "argument --confidence: expected a number between 0 and 1"),
        (["--confidence", "95%"], "argument --confidence: expected a number between 0 and 1"),
        (["--population", "0"], "argument --population: expected a positive whole number"),
        (["--population", "-40"], "argument --population: expected a positive whole number"),
        (["--population", "40.5"], "argument --population: expected a positive whole number"),
        (["--population", "many"], "argument --population: expected a positive whole number"),
        (["--population", "11"], "--population 11 is smaller than the 12 rated units"),
        (["--population", "40", "--bootstrap", "50"], "--population works with the jackknife"),
        (["--interval", "wald"], "argument --interval: invalid choice: 'wald'"),
        (["--benchmark-scale", "cohen"], "argument --benchmark-scale: invalid choice: 'cohen'"),
    ],
)
def test_bad_family_options_give_one_line(tmp_path, capsys, args, message):
    assert_one_line_error(capsys, [write(tmp_path, WIDE), *args], message)


def test_plan_gives_the_expected_width_and_contacts_for_a_margin(capsys):
    from qalibrate.agreement.precision import contacts_for_margin, expected_alpha_width

    report = run_json(capsys, "--plan", "8x5", "--expected-alpha", "0.9")
    assert report["expected_width"] == pytest.approx(expected_alpha_width(8, 5, 0.9))
    assert report["contacts_for_margin"] == {
        "0.1": contacts_for_margin(0.1, 5, 0.9),
        "0.2": contacts_for_margin(0.2, 5, 0.9),
    }
    assert main(["--plan", "10×3"]) == 0
    out = capsys.readouterr().out
    assert "10 contacts x 3 evaluators" in out and "±0.1: about" in out


@pytest.mark.parametrize(
    "args",
    [["--plan", "2x5"], ["--plan", "8"], ["--plan", "8x5", "--expected-alpha", "1.2"], []],
)
def test_plan_and_missing_file_errors_are_one_line(capsys, args):
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error
