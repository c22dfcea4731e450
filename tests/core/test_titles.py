"""No page's <title> holds markup: a block left open in a template once put a whole table there.

Each demo role's pages are crawled from the home page, following the links it is shown."""

import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from qalibrate.demo.builder import build_demo

pytestmark = pytest.mark.slow

LOGINS = ["admin", "maria.lindqvist", "james.cole", "emma.clarke"]
PAGES_PER_ROLE = 45
# Files, the admin, the API and its docs: not pages of the app with its own <title> block.
SKIP = re.compile(r"^/(admin|api|static|media)/|\.(pdf|xlsx|csv|json|ics)$|/recording/$|/export")


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.title, self._in_title = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += [value for name, value in attrs if name == "href" and value]
        elif tag == "title":
            self._in_title, self.title = True, ""

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def crawl(client, limit):
    """(path, title) of the HTML pages reachable from the home page, breadth first."""
    queue, seen, pages, shapes = ["/"], {"/"}, [], Counter()
    while queue and len(pages) < limit:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        # The raw text between the tags: markup there is what a browser tab would show.
        raw = re.search(r"<title>(.*?)</title>", html, re.S)
        pages.append((path, raw.group(1) if raw else None))
        parser = Page()
        parser.feed(html)
        for href in parser.links:
            url = urlsplit(urljoin(path, href))
            if url.netloc or url.scheme not in ("", "http", "https"):
                continue
            # Two pages of a kind are enough (contact 7 and 8 share a template): go wide.
            shape = re.sub(r"\d+", "N", url.path)
            if url.path not in seen and not SKIP.search(url.path) and shapes[shape] < 2:
                seen.add(url.path)
                shapes[shape] += 1
                queue.append(url.path)
    return pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_demo()
        yield
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("username", LOGINS)
def test_no_page_title_holds_markup(client, demo, db, username):
    from qalibrate.accounts.models import User

    client.force_login(User.objects.get(username=username))
    pages = crawl(client, PAGES_PER_ROLE)
    assert len(pages) >= 5, pages
    bad = {path: title for path, title in pages if title is None or "<" in title}
    assert not bad, bad
    # Each title says something: not empty, not a wall of text.
    for path, title in pages:
        text = " ".join(unescape(title).split())
        assert 0 < len(text) < 160, (path, text)
