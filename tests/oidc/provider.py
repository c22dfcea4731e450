"""Start the test OpenID provider (tests/oidc/provider/provider.js, the certified oidc-provider
package from npm run by Debian's nodejs) and point Qalibrate's settings at it."""

import copy
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.smtp import free_port

FOLDER = Path(__file__).parent / "provider"
CLIENT_ID, CLIENT_SECRET = "qalibrate", "qalibrate-test-secret"


def _installed() -> None:
    if not (shutil.which("node") and shutil.which("npm")):
        message = "Node.js and npm are missing: apt-get install nodejs npm"
        if os.environ.get("CI"):
            pytest.fail(f"the single sign-on tests may not be skipped in CI: {message}")
        pytest.skip(message)
    if not (FOLDER / "node_modules" / "oidc-provider").exists():
        npm = shutil.which("npm")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FOLDER, check=True
        )


def start_provider(site_url: str) -> tuple[subprocess.Popen, str]:
    """The running provider and its issuer address; the client redirects to ``site_url``."""
    _installed()
    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("node") or "node",
            "provider.js",
            str(port),
            f"{site_url}/accounts/oidc/callback/",
            f"{site_url}/accounts/login/",
        ],
        cwd=FOLDER,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            discovery = f"{issuer}/.well-known/openid-configuration"
            urllib.request.urlopen(discovery, timeout=1)  # noqa: S310 (our own http address)
            return process, issuer
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the OpenID provider did not start")


def configure(settings, issuer: str, *, only: bool = False) -> None:
    settings.OIDC_ENABLED = True
    settings.OIDC_ONLY = only
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{issuer}/session/end"
    settings.OIDC_ROLE_MAP = {"qa-leads": "qa_lead", "qa-evaluators": "evaluator"}
    settings.OIDC_TEAM_MAP = {"team-support": "Customer support", "team-sales": "Sales"}
    settings.OIDC_DEFAULT_ROLE = ""
    settings.OIDC_BUTTON_LABEL = "Test SSO"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(issuer)  # as settings.py does for the provider
    settings.CONTENT_SECURITY_POLICY = policy
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "qalibrate.accounts.oidc.QalibrateOIDCBackend",
    ]
