"""The ru and sv catalogs are complete, compiled and in step with the source."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import ngettext

import qalibrate

PACKAGE = Path(qalibrate.__file__).parent
LOCALES = ["ru", "sv"]
PLURAL_FORMS = {"ru": 4, "sv": 2}  # Django's own ru catalog uses four (the fourth for fractions)


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"))


def assert_complete(po: polib.POFile, language: str) -> None:
    problems = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    for entry in po.translated_entries():
        if entry.msgid_plural and (
            len(entry.msgstr_plural) != PLURAL_FORMS[language]
            or not all(entry.msgstr_plural.values())
        ):
            problems.append(f"plural forms missing: {entry.msgid!r}")
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy: msgfmt would drop plural forms"
    assert not problems, f"{language}: " + "; ".join(problems)


@pytest.mark.parametrize("language", LOCALES)
def test_catalog_is_complete(language):
    po = catalog(language)
    assert len(po) > 100
    assert_complete(po, language)


@pytest.mark.parametrize("language", LOCALES)
def test_compiled_catalog_matches_the_source(language):
    po = catalog(language)
    mo = polib.mofile(str(PACKAGE / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (
            entry.msgstr,
            entry.msgstr_plural,
        ), f"{language}: django.mo is stale; run `qalibrate compilemessages` in qalibrate/"


@pytest.mark.slow
def test_every_string_in_the_source_is_in_the_catalogs(tmp_path):
    """Extract the strings afresh (as makemessages does) and find each one translated."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is needed to check the catalogs against the source")
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed")
    copy = tmp_path / "qalibrate"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "*.mo"))
    environment = {**os.environ, "QALIBRATE_DATA_DIR": str(tmp_path / "var")}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "qalibrate",
            "makemessages",
            "--no-location",
            "-l",
            "ru",
            "-l",
            "sv",
        ],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
    )
    for language in LOCALES:
        po = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        assert_complete(po, language)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 минуту"),
        (2, "2 минуты"),
        (5, "5 минут"),
        (11, "11 минут"),
        (21, "21 минуту"),
        (22, "22 минуты"),
        (25, "25 минут"),
        (104, "104 минуты"),
    ],
)
def test_russian_plural_forms(count, expected):
    with translation.override("ru"):
        text = ngettext(
            "Too many failed log-in attempts. Try again in %(minutes)d minute.",
            "Too many failed log-in attempts. Try again in %(minutes)d minutes.",
            count,
        ) % {"minutes": count}
    assert text.endswith(f"через {expected}.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Log in to Qalibrate"), ("ru", "Вход в Qalibrate"), ("sv", "Logga in i Qalibrate")],
)
def test_login_page_in_each_language(client, language, heading):
    client.cookies["django_language"] = language
    page = client.get("/accounts/login/").content.decode()
    assert f'<html lang="{language}">' in page
    assert heading in page
