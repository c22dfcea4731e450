#!/usr/bin/env python3
"""Check that every pin in pyproject.toml (dependencies and the test extra) installs from wheels
on CPython 3.11, 3.12, 3.13 and 3.14, so a newcomer on any current system needs no compiler.

    python3 .ci/check_wheels.py            Linux x86_64 (glibc 2.28+), the full dependency tree
    python3 .ci/check_wheels.py --all      also macOS arm64 and Windows x86_64

For each Python it asks pip's resolver for the whole tree, dependencies included, with
--only-binary=:all: (so a dependency that pins an old scipy fails here too). It runs
`pip install --dry-run --report`, not `pip download`: the same resolver and wheel-tag checks, but
pip reads the metadata PyPI publishes beside each wheel instead of downloading ~100 MB per
Python. When a resolve fails it checks each pin alone (--no-deps) to name the culprit.
Exits 1 with a line per failure. Needs the network (PyPI); takes a minute or two.
"""

import json
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ["3.11", "3.12", "3.13", "3.14"]
# pip matches --platform literally (manylinux_2_28 does not imply manylinux_2_17), so list every
# manylinux tag a glibc 2.28 system (Debian 10, RHEL 8 and newer) accepts.
LINUX = ["manylinux2014_x86_64", *(f"manylinux_2_{minor}_x86_64" for minor in range(17, 29))]
# pip expands a macOS tag to every older macOS version itself.
TARGETS = {
    "linux-x86_64": LINUX,
    "macos-arm64": ["macosx_14_0_arm64"],
    "windows-x86_64": ["win_amd64"],
}


def pins() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    loose = [pin for pin in pinned if "==" not in pin]
    if loose:
        sys.exit(f"check_wheels: not pinned exactly (==): {', '.join(loose)}")
    return pinned


def pip_resolve(requirements: list[str], python: str, platforms: list[str], *, deps: bool):
    """Run pip's resolver for one Python and platform; return (ok, report or pip's error)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            python,
            "--target",
            scratch,
            "--report",
            str(report),
            *(f"--platform={platform}" for platform in platforms),
        ]
        if not deps:
            command.append("--no-deps")
        result = subprocess.run([*command, *requirements], capture_output=True, text=True)
        if result.returncode:
            errors = [
                line
                for line in result.stderr.splitlines()
                if line.startswith("ERROR") and not line.startswith("ERROR: Ignored")
            ]
            return False, "; ".join(errors) or result.stderr.strip()[-500:]
        return True, json.loads(report.read_text())["install"]


def check(target: str, python: str, requirements: list[str]) -> list[str]:
    platforms = TARGETS[target]
    ok, outcome = pip_resolve(requirements, python, platforms, deps=True)
    if ok:
        urls = {i["metadata"]["name"]: i["download_info"]["url"] for i in outcome}
        sdists = [name for name, url in urls.items() if not url.endswith(".whl")]
        if sdists:
            return [f"{target} cp{python}: no wheel for {', '.join(sdists)}"]
        versions = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in outcome}
        print(
            f"ok   {target} cp{python}: {len(outcome)} packages, all wheels "
            f"(numpy {versions['numpy']}, scipy {versions['scipy']}, pandas {versions['pandas']})",
            flush=True,
        )
        return []
    culprits = [
        pin for pin in requirements if not pip_resolve([pin], python, platforms, deps=False)[0]
    ]
    if culprits:
        return [f"{target} cp{python}: no wheel for {pin}" for pin in culprits]
    # Every pin has a wheel, so a dependency lacks one or the pins conflict.
    return [f"{target} cp{python}: the pins do not resolve as wheels: {outcome}"]


def main() -> None:
    targets = list(TARGETS) if "--all" in sys.argv[1:] else ["linux-x86_64"]
    requirements = pins()
    jobs = [(target, python) for target in targets for python in PYTHONS]
    # Each resolve waits on PyPI for much of its time, so they run side by side.
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda job: check(*job, requirements), jobs)
        failures = [failure for result in results for failure in result]
    for failure in failures:
        print(f"FAIL {failure}", flush=True)
    if failures:
        sys.exit(f"check_wheels: {len(failures)} failure(s); see the FAIL lines above.")
    pythons = ", ".join(PYTHONS)
    print(f"check_wheels: {len(requirements)} pins install as wheels on CPython {pythons}.")


if __name__ == "__main__":
    main()
