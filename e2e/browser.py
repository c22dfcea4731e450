"""What browser tests share besides fixtures: where chromium is, how it starts, how a test
signs in. A plain module, so tests and e2e/tour.py import it (conftest.py is not for importing)."""

import os
import shutil
from pathlib import Path

SCREENSHOTS = Path(os.environ.get("QALIBRATE_SCREENSHOTS", "artifacts/screenshots"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("QALIBRATE_CHROMIUM") or shutil.which("chromium")


def log_in(page, who, password: str | None = None) -> None:
    """Sign in afresh in the page's browser context and wait for the landing page. `who` is a
    user the test made (password tests.factories.PASSWORD) or the username of one of the demo's
    people (the demo's password)."""
    if password is None:
        from qalibrate.demo.builder import DEMO_PASSWORD
        from tests.factories import PASSWORD

        password = DEMO_PASSWORD if isinstance(who, str) else PASSWORD
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", who if isinstance(who, str) else who.username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/")
