"""The layers of docs/architecture.md: reads never import writes, and who-may-do-what never
imports reads or writes. Checked on the source, without importing it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qalibrate"
SELECTORS = sorted(PACKAGE.glob("*/selectors.py")) + sorted(PACKAGE.glob("*/*_selectors.py"))
PERMISSIONS = sorted(PACKAGE.glob("*/permissions.py"))
LAYERS = ("services", "selectors", "views", "permissions")


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function: ``from a import b``
    counts as a and a.b (b may be a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str) -> str:
    """The layer a module belongs to by its name: qalibrate.calibration.series_selectors is
    in "selectors", qalibrate.calibration.models in none."""
    last = module.rsplit(".", 1)[-1]
    return next((layer for layer in LAYERS if last.endswith(layer)), "")


def test_the_layers_are_found():
    assert len(SELECTORS) >= 8
    assert len(PERMISSIONS) >= 6


@pytest.mark.parametrize("path", SELECTORS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_selectors_module_imports_no_services(path):
    writes = sorted(m for m in imported_modules(path) if layer_of(m) == "services")
    assert writes == [], f"{path.relative_to(PACKAGE)} imports {writes}"


@pytest.mark.parametrize("path", PERMISSIONS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_permissions_module_imports_no_reads_or_writes(path):
    found = sorted(
        m for m in imported_modules(path) if layer_of(m) in ("services", "selectors", "views")
    )
    assert found == [], f"{path.relative_to(PACKAGE)} imports {found}"


# -- Which app may import which (docs/architecture.md, "Which app may import which") ------------

# From the bottom up; an app's domain modules import only apps of its own layer or below.
APP_LAYERS = (
    ("agreement", "formats", "core"),
    ("accounts", "audit", "people"),
    ("scorecards",),
    ("contacts", "evaluations", "calibration", "double_scoring", "certification"),
    ("notifications", "reports", "history", "privacy", "webhooks"),
    ("api", "demo"),
)
LAYER_OF_APP = {app: rank for rank, apps in enumerate(APP_LAYERS) for app in apps}
TOP = len(APP_LAYERS)

# The doors stand above every app: pages, endpoints, template tags, commands and core's start
# pages and endpoints may use any app.
DOOR_MODULES = {"views", "api", "serializers", "filters", "urls", "admin", "context_processors"}
DOOR_FOLDERS = {"templatetags", "management"}
CORE_DOORS = {"views", "selectors", "metrics", "observability"}

# The upward edges we keep, with their reason. Remove a line when you remove the import.
KNOWN_UPWARD = {
    # A session's events (planned, moved, revealed, completed) tell its people where they happen.
    ("calibration.services", "notifications"),
    # Job leases (JobLease, `leased`) live in notifications with their table.
    ("calibration.tasks", "notifications"),
    ("contacts.tasks", "notifications"),
    # The people import reads its table and reports its rows with the contact import's parts.
    ("people.importing", "contacts"),
}


def module_layer(path: Path) -> int:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    app, name = parts[0], parts[-1]
    if name in DOOR_MODULES or DOOR_FOLDERS & set(parts):
        return TOP
    if app == "core" and name in CORE_DOORS:
        return TOP
    return LAYER_OF_APP[app]


DOMAIN_MODULES = sorted(
    path
    for path in PACKAGE.glob("*/**/*.py")
    if path.relative_to(PACKAGE).parts[0] in LAYER_OF_APP
    and "migrations" not in path.parts
    and module_layer(path) < TOP
)


def upward_imports(path: Path) -> list[str]:
    own_app = path.relative_to(PACKAGE).parts[0]
    own_name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    found = []
    for module in imported_modules(path):
        bits = module.split(".")
        if bits[0] != "qalibrate" or len(bits) < 2 or bits[1] == own_app:
            continue
        if bits[1] not in LAYER_OF_APP or (own_name, bits[1]) in KNOWN_UPWARD:
            continue
        target = PACKAGE.joinpath(*bits[1:3]).with_suffix(".py")
        layer = module_layer(target) if target.exists() else LAYER_OF_APP[bits[1]]
        if layer > module_layer(path):
            found.append(module)
    return sorted(set(found))


def test_every_app_has_a_layer():
    apps = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert apps <= set(LAYER_OF_APP)


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_domain_module_imports_no_higher_layer(path):
    assert upward_imports(path) == []


def test_the_known_upward_imports_are_still_there():
    """A kept exception that no longer happens is taken off the list."""
    for module, app in KNOWN_UPWARD:
        path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
        imported = {m.split(".")[1] for m in imported_modules(path) if m.startswith("qalibrate.")}
        assert app in imported, f"{module} no longer imports {app}: remove it from KNOWN_UPWARD"
