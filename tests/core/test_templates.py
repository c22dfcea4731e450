"""No template carries an inline event handler (onclick=, onchange=, ...), an inline script or an
htmx hx-on attribute (htmx runs it through eval): the Content-Security-Policy (settings.py)
allows only this server's script files and blocks them. Behaviour goes into the site's own
script instead (static/qalibrate/js/site.js reads data-confirm, data-autosubmit and
data-reset-on-success) or into htmx attributes."""

import re
from pathlib import Path

import qalibrate

TEMPLATES = Path(qalibrate.__file__).parent / "templates"
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
HTML_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
HANDLER = re.compile(r"\s(?:on[a-z]+|hx-on\S*)\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)


def inline_handlers(source: str) -> list[str]:
    """The HTML tags of a template that have an on...= attribute."""
    html = TEMPLATE_TAG.sub(" ", source)
    return [tag for tag in HTML_TAG.findall(html) if HANDLER.search(tag)]


def test_the_check_finds_inline_handlers():
    assert inline_handlers('<button class="b" onclick="return confirm(this.dataset.confirm)">')
    assert inline_handlers('<select id="s"\n  ONCHANGE="this.form.submit()">')
    assert inline_handlers('<a href="{% url "home" %}"{% if x %} onmouseover="go()"{% endif %}>')
    assert not inline_handlers('<button data-confirm="Cancel this session?">Cancel</button>')
    assert not inline_handlers("<p>Turn it on=off</p>")
    assert inline_handlers('<form hx-post="/x" hx-on::after-request="this.reset()">')


def test_no_template_has_an_inline_event_handler():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50
    found = {
        str(path.relative_to(TEMPLATES)): inline_handlers(path.read_text()) for path in templates
    }
    assert {path: tags for path, tags in found.items() if tags} == {}


def test_no_template_has_an_inline_script():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">')
    assert not INLINE_SCRIPT.search('<script src="/static/site.js" defer></script>')
    found = {
        str(path.relative_to(TEMPLATES)): INLINE_SCRIPT.findall(path.read_text())
        for path in sorted(TEMPLATES.rglob("*.html"))
    }
    assert {path: tags for path, tags in found.items() if tags} == {}
