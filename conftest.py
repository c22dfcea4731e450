import pytest

from qalibrate.accounts.models import Role
from tests.factories import AgentFactory, TeamFactory, UserFactory

pytest_plugins = ["tests.calibration.fixtures"]


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


@pytest.fixture
def team(db):
    return TeamFactory(name="Customer support")


@pytest.fixture
def users(db, team):
    """One signed-up user of every role, the agent linked to an Agent record of the team."""
    people = {role: UserFactory(username=role.value, role=role) for role in Role}
    for user in people.values():
        user.teams.add(team)
    AgentFactory(full_name="Agent With Login", team=team, user=people[Role.AGENT])
    return people


@pytest.fixture
def smtp_inbox(settings):
    """Mail goes through Django's SMTP backend to a real local SMTP server."""
    from tests.smtp import start_smtp_server

    controller, inbox = start_smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()
