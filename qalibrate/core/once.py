"""Work done once: what a completed calibration session measured never changes, because a
completed session is locked (its answers, agreed answers, flags and notes can no longer be
written). Its figures, charts and report data are computed on first view and kept in the shared
cache (Redis, or files in the data folder: every worker and, with Redis, every node reads the
same copy, and none holds it in its own memory), keyed by the session, the moment it was
completed, the language and whatever else the caller says the result depends on.

Names are the one thing that can change under a kept figure: erasing a person's data
(qalibrate.privacy) calls ``forget_kept_work``, which moves every key to a new generation."""

import hashlib
import json
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.utils.translation import get_language

T = TypeVar("T")

GENERATION_KEY = "qalibrate:kept-work:generation"
KEEP_SECONDS = 30 * 24 * 3600  # a month: reports are read around their meeting, then rarely


def _cache():
    return caches["shared"]


def _generation() -> int:
    # A clock reading, not a counter: if the key is ever evicted, the next generation cannot
    # be one whose kept results are still in the cache.
    found = _cache().get(GENERATION_KEY)
    if found is None:
        _cache().add(GENERATION_KEY, time.time_ns(), timeout=None)
        found = _cache().get(GENERATION_KEY)
    return found


def completed_once(session, name: str, compute: Callable[[], T], *vary) -> T:
    """``compute()`` for a completed session, computed once and kept; for a session that is not
    completed, computed every time."""
    if session.completed_at is None:
        return compute()
    key = ":".join(
        [
            "qalibrate:kept-work",
            str(_generation()),
            name,
            str(session.pk),
            str(session.completed_at.timestamp()),
            get_language() or "",
            *map(str, vary),
        ]
    )
    kept = _cache().get(key)
    if kept is None:
        kept = (compute(),)  # a tuple, so that a result of None is kept too
        _cache().set(key, kept, KEEP_SECONDS)
    return kept[0]


def same_inputs_once(name: str, compute: Callable[..., T], *inputs) -> T:
    """``compute(*inputs)``, kept under a digest of the inputs: statistics of the same answers
    are the same statistics, so a live session's discussion recomputes only the criteria whose
    answers changed since the last view (after the reveal, none: only agreed answers change).
    The inputs must be JSON-serialisable numbers and strings, and carry no names."""
    digest = hashlib.sha256(json.dumps(inputs, default=str, sort_keys=True).encode()).hexdigest()
    key = f"qalibrate:same-inputs:{name}:{digest}"
    kept = _cache().get(key)
    if kept is None:
        kept = (compute(*inputs),)
        _cache().set(key, kept, KEEP_SECONDS)
    return kept[0]


def forget_kept_work() -> None:
    """Every kept result is computed again on its next view (after a person's name is erased)."""
    _cache().set(GENERATION_KEY, time.time_ns(), timeout=None)
