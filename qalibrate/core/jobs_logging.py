"""One log line per background job run (name, duration, outcome), from huey's signals, on the
"qalibrate.jobs" logger: connected once from CoreConfig.ready(), wherever jobs run (the worker,
or the web process itself with QALIBRATE_JOBS_IMMEDIATE)."""

import logging
import time

from huey import signals
from huey.contrib import djhuey

logger = logging.getLogger("qalibrate.jobs")

# Each of these ends a run that SIGNAL_EXECUTING began. RETRYING alone ends a run that raised
# RetryTask; after an ERROR it comes second and is not told again.
OUTCOMES = (
    signals.SIGNAL_COMPLETE,
    signals.SIGNAL_ERROR,
    signals.SIGNAL_RETRYING,
    signals.SIGNAL_TIMEOUT,
    signals.SIGNAL_LOCKED,
    signals.SIGNAL_CANCELED,
    signals.SIGNAL_RATE_LIMITED,
    signals.SIGNAL_INTERRUPTED,
)

# Task id -> when its run began. The worker's threads each run other tasks; dict operations on
# distinct keys are safe under the GIL.
_started: dict[str, float] = {}


def job_started(signal, task, *args) -> None:
    _started[task.id] = time.perf_counter()


def job_ended(signal, task, *args) -> None:
    started = _started.pop(task.id, None)
    if started is None:
        return  # already told: an error run that is then retried sends ERROR and RETRYING
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    error = args[0] if args else None
    fields = {
        "job": task.name,
        "job_id": task.id,
        "duration_ms": duration_ms,
        "outcome": signal,
        "error": type(error).__name__ if error is not None else None,
    }
    level = logging.INFO if signal == signals.SIGNAL_COMPLETE else logging.WARNING
    logger.log(level, "job %s %s in %.1f ms", task.name, signal, duration_ms, extra=fields)


def connect(huey=None) -> None:
    huey = huey or djhuey.HUEY
    huey.signal(signals.SIGNAL_EXECUTING)(job_started)
    huey.signal(*OUTCOMES)(job_ended)
