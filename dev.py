#!/usr/bin/env python3
"""Set up Qalibrate in a local virtual environment (.venv) and run it.

    python3 dev.py demo           set up, load demo data, serve at http://127.0.0.1:8000
    python3 dev.py test           set up and run the whole test suite (pytest), as CI does
    python3 dev.py test --quick   the quick loop: no slow or browser tests, on every core
    python3 dev.py lint           ruff check and format check

Extra words are passed on: `python3 dev.py test -k login`, `python3 dev.py demo --reset`.
Needs nothing but Python 3.11+; packages are installed once and again when pyproject.toml changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# The quick loop: everything but the slow and the browser tests, spread over the cores
# (pytest-xdist; each test has its own database, caches and media folder).
QUICK = ["-m", "not slow and not e2e", "-n", "auto", "-q"]


def ensure_environment(extras: str) -> None:
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{extras or 'app'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing packages (once; takes a minute or two) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "--editable", f"{ROOT}[{extras}]" if extras else str(ROOT)], check=True)
    stamp.write_text(digest)


def run(command: list[str]) -> None:
    os.chdir(ROOT)
    if os.name == "nt":
        sys.exit(subprocess.run(command).returncode)
    os.execv(command[0], command)


def main() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs on whatever python3 is there)
        sys.exit("Qalibrate needs Python 3.11 or newer.")
    action, *rest = sys.argv[1:] or ["help"]
    if action == "demo":
        ensure_environment("")
        run([str(BIN / "qalibrate"), "demo", *rest])
    elif action == "test":
        ensure_environment("test")
        if "--quick" in rest:
            rest.remove("--quick")
            paths = [word for word in rest if not word.startswith("-")]
            # Only tests/ unless told otherwise: collecting e2e/ alone costs seconds.
            rest = [*QUICK, *rest] if paths else [*QUICK, *rest, "tests"]
        run([str(PYTHON), "-m", "pytest", *rest])
    elif action == "lint":
        ensure_environment("test")
        ruff = str(BIN / "ruff")
        subprocess.run([ruff, "check", "."], check=True, cwd=ROOT)
        run([ruff, "format", "--check", "."])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
