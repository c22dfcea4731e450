"""Request limits: per API token (per user for browser sessions), per address when anonymous.

The rates are read on every request from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], so they
follow the settings (and tests can change them). Counts live in the "shared" cache (settings
CACHES: Redis, or files in the data folder), so every worker process and, with Redis, every
machine counts together: N processes allow the documented limit, not N times it.

A window opens with a client's first request and lasts the rate's period (a minute): at most
the limit's number of requests are let through in it. Counting reads then writes: Redis does
both at once (an atomic increment); with the file cache, the machine's processes take turns
through a lock file.
"""

import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from qalibrate.accounts.login_limits import client_address
from qalibrate.accounts.models import ApiToken

try:
    import fcntl
except ImportError:  # Windows: one process (runserver), whose threads share a lock
    fcntl = None

_THREADS = threading.Lock()


@contextmanager
def _machine_lock():
    if fcntl is None:
        with _THREADS:
            yield
        return
    # A new open file for every turn: flock then keeps this process's threads apart too.
    with open(settings.DATA_DIR / "api-throttle.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class _SharedCountThrottle(SimpleRateThrottle):
    def __init__(self):
        self.cache = caches["shared"]
        super().__init__()

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        if isinstance(self.cache, RedisCache):
            count = self._counted_in_redis()
        else:
            with _machine_lock():
                count = self._counted()
        return count <= self.num_requests

    def _counted(self) -> int:
        """This request counted in its window: (window start, count) under one key."""
        started, count = self.cache.get(self.key) or (self.now, 0)
        if started + self.duration <= self.now:
            started, count = self.now, 0
        self.started = started
        self.cache.set(self.key, (started, count + 1), started + self.duration - self.now)
        return count + 1

    def _counted_in_redis(self) -> int:
        """The same with operations that are atomic in Redis: the first request of a window
        stores its start (add: only if none), each request increments that window's count."""
        started_key = f"{self.key}:started"
        self.started = self.cache.get(started_key)
        if self.started is None:
            self.cache.add(started_key, self.now, self.duration)
            self.started = self.cache.get(started_key, self.now)
        count_key = f"{self.key}:{self.started}"
        self.cache.add(count_key, 0, self.duration + 1)
        try:
            return self.cache.incr(count_key)
        except ValueError:  # the window ended a moment ago
            return 1

    def wait(self):
        return max(0.0, self.started + self.duration - self.now)

    def timer(self):
        return time.time()


class TokenRateThrottle(_SharedCountThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_SharedCountThrottle):
    scope = "anon"

    def get_ident(self, request):
        # The client's address as the log-in limits read it: X-Forwarded-For only from a trusted
        # proxy (DRF's own get_ident takes that header from anyone, who then picks a new
        # address for each request).
        return client_address(request) or "unknown"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None  # counted by the token's limit
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
