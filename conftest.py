"""How every test runs (database, background jobs, caches, language). The shared test data
(users, a published scorecard version, calibration sessions) is in tests/fixtures.py."""

import pytest

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, tmp_path_factory):
    """SQLite tests use a file, as the app does, not a shared in-memory database: threads in the
    concurrency tests then get real connections that wait for each other's write locks."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"]["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_at_once():
    """Background jobs run in the test's own process the moment they are queued (huey's
    immediate mode, in memory); tests/notifications/test_worker.py starts a real worker."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Argon2 is proven in its own test; elsewhere a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # API rate-limit counts live in the "shared" cache: each test gets its own, empty, rather
    # than the data folder's, which other test runs on this machine share.
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": tmp_path / "cache",
        },
    }
    yield
    # A test that switched the language (a request, an override left open) must not leave it
    # switched for the next test in this thread.
    from django.utils import translation

    translation.deactivate()
