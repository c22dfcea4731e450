"""HTTP over urllib with a cookie jar, as a browser keeps its session and CSRF cookies: the
base of the plain-HTTP clients in tests/test_nodes.py and benchmarks/autosave_load.py."""

import http.cookiejar
import urllib.request


class CookieClient:
    def __init__(self, base: str):
        self.base = base  # always an http://127.0.0.1:<port> address the caller started
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")
