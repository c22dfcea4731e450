"""The app needs only what `pip install qalibrate` installs: every third-party package that
qalibrate/ imports is a runtime dependency, not only a test one. (`python3 dev.py demo` on a
fresh machine installs the runtime dependencies alone; the suite runs with the test extra too,
so an import of a test-only package would pass every other test and fail there.)"""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _imported_top_level_modules() -> set[str]:
    modules = set()
    for path in (ROOT / "qalibrate").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"qalibrate", "__future__"}


@pytest.mark.slow
def test_every_package_the_app_imports_is_a_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_normalised(Requirement(line).name) for line in project["dependencies"]}
    distributions = packages_distributions()
    runtime_closure = set(runtime)
    pending = list(runtime)
    while pending:  # a dependency's own dependencies are installed too
        for line in requires(pending.pop()) or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = _normalised(requirement.name)
            if name not in runtime_closure:
                runtime_closure.add(name)
                pending.append(name)
    missing = {}
    for module in sorted(_imported_top_level_modules()):
        owners = {_normalised(d) for d in distributions.get(module, [])}
        assert owners, f"qalibrate imports {module}, which no installed package provides"
        if not owners & runtime_closure:
            missing[module] = sorted(owners)
    assert not missing, f"imported by qalibrate/ but not a runtime dependency: {missing}"
