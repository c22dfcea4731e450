import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from qalibrate import config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qalibrate.settings")


def share_metrics_between_workers(data_dir: Path) -> None:
    """gunicorn's worker processes each count the requests they serve; /metrics must add them up,
    whichever worker answers the scrape. prometheus-client does that from files in one folder per
    server (<gunicorn's pid>, the workers' parent), read before it is imported. The folders of
    servers that have stopped are removed, so a restart begins at zero. The files are memory
    mapped: they live in RAM (/dev/shm), not in the data folder, where a full disk would kill
    the worker that writes them (SIGBUS) instead of giving the clear 503."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return  # the operator chose a folder (and cleans it when the server starts)
    if "prometheus_client" in sys.modules:
        return  # too late, it counts in memory: one process (runserver), which is right
    root = config.metrics_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    for folder in root.iterdir():
        if folder.name.isdigit() and not _running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    folder = root / str(os.getppid())
    folder.mkdir(exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


share_metrics_between_workers(settings.DATA_DIR)
application = get_wsgi_application()
# Import every page's code while the worker starts, not during the first request it serves.
get_resolver().check()
