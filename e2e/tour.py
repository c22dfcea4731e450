"""Screenshots of the main pages of each role, the history included, against a running demo, for people to look at.

    .venv/bin/python e2e/tour.py http://127.0.0.1:8000 [--out artifacts/tour] [--languages en,ru,sv]

Not a test (pytest does not collect it): it logs in as the demo's QA lead, an evaluator of the
session in blind scoring, and an agent, switches language, and saves full-page PNGs at a
projector-ish desktop, a tablet and a phone size. Run it after `python3 dev.py demo`.
"""

import argparse
import email
import email.header
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import CHROMIUM_FLAGS, chromium_path, log_in  # noqa: E402

SIZES = {"desktop": (1366, 800), "tablet": (1024, 768), "phone": (390, 844)}
PASSWORD = "calibrate"  # noqa: S105 (the demo's published password)


def log_in_speaking(page, username: str, language: str) -> None:
    log_in(page, username, PASSWORD)
    page.select_option("#language-select", language)
    page.wait_for_selector(f'html[lang="{language}"]')


def session_ids(page, base: str) -> dict[str, int]:
    """The demo's session in blind scoring and its latest completed one, read off the list."""
    page.goto(f"{base}/sessions/")
    ids = {}
    for row in page.locator("table tbody tr").all():
        link = row.locator("a[href*='/sessions/']").first
        if not link.count():
            continue
        pk = int(re.search(r"/sessions/(\d+)/", link.get_attribute("href")).group(1))
        status = row.inner_text()
        if "week 48" in status:
            ids.setdefault("scoring", pk)
        if "week 47" in status:
            ids.setdefault("completed", pk)
    return ids


def shoot(page, out: Path, name: str) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=True)


def history_pages(page, base: str, out: Path, language: str) -> None:
    """The QA lead's history: trends, the drifting evaluator, the reworded criterion, the
    book of rulings, process problems and the import."""
    page.goto(f"{base}/history/")
    shoot(page, out, f"{language}-history-trends")
    page.goto(f"{base}/history/evaluators/")
    shoot(page, out, f"{language}-history-evaluators")
    page.locator("a[href*='/history/evaluators/']", has_text="Anna").first.click()
    page.wait_for_url(re.compile(r".*/history/evaluators/\d+/$"))
    shoot(page, out, f"{language}-history-evaluator")
    page.goto(f"{base}/history/criteria/")
    page.select_option("#scorecard", label="Inbound support call")
    page.locator("form.inline-form button").click()
    page.wait_for_url(re.compile(r".*scorecard=\d+"))
    shoot(page, out, f"{language}-history-criteria")
    page.locator("a[href*='/history/criteria/']", has_text="identity").first.click()
    page.wait_for_url(re.compile(r".*/history/criteria/.+"))
    shoot(page, out, f"{language}-history-criterion")
    for name, path in (("rulings", "rulings/"), ("problems", "problems/"), ("import", "import/")):
        page.goto(f"{base}/history/{path}")
        shoot(page, out, f"{language}-history-{name}")


def people_pages(page, base: str, out: Path, language: str, mail_dir: Path | None) -> None:
    """The administrator's people pages, an invitation sent in the language (its e-mail shown
    when the demo's mail folder is given) and the audit trail."""
    for name, path in (("people", "people/"), ("people-import", "people/import/")):
        page.goto(f"{base}/{path}")
        shoot(page, out, f"{language}-{name}")
    page.goto(f"{base}/people/invite/")
    shoot(page, out, f"{language}-people-invite")
    before = set(mail_dir.iterdir()) if mail_dir and mail_dir.exists() else set()
    page.fill("#id_email", f"tour.{language}.{len(before)}@example.com")
    page.select_option("#id_language", language)
    page.locator("input[name='teams']").first.check()
    page.locator("form button[type='submit']").last.click()
    page.wait_for_url(re.compile(r".*/people/$"))
    if mail_dir and mail_dir.exists():
        sent = sorted(set(mail_dir.iterdir()) - before, key=lambda path: path.stat().st_mtime)
        if sent:
            message = email.message_from_bytes(sent[-1].read_bytes())
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            body = message.get_payload(decode=True).decode(message.get_content_charset())
            text = f"To: {message['To']}\nSubject: {subject}\n\n{body}"
            page.set_content(
                "<pre style='white-space:pre-wrap;font:15px/1.5 sans-serif;padding:1em'></pre>"
            )
            page.locator("pre").evaluate("(node, text) => { node.textContent = text; }", text)
            shoot(page, out, f"{language}-invitation-email")
    page.goto(f"{base}/audit/")
    shoot(page, out, f"{language}-audit")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--out", default="artifacts/tour")
    parser.add_argument("--languages", default="en,ru,sv")
    parser.add_argument("--mail-dir", type=Path, help="the demo's mail folder (DATA_DIR/mail)")
    args = parser.parse_args()
    base, out = args.base.rstrip("/"), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        for language in args.languages.split(","):
            context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=base)
            page = context.new_page()
            log_in_speaking(page, "maria.lindqvist", language)
            ids = session_ids(page, base)
            page.goto(f"{base}/")
            shoot(page, out, f"{language}-lead-home")
            page.goto(f"{base}/sessions/{ids['scoring']}/")
            shoot(page, out, f"{language}-lead-session")
            page.goto(f"{base}/sessions/{ids['completed']}/discussion/")
            shoot(page, out, f"{language}-meeting")
            page.goto(f"{base}/reports/sessions/{ids['completed']}/")
            shoot(page, out, f"{language}-report")
            history_pages(page, base, out, language)
            context.close()

            context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=base)
            page = context.new_page()
            log_in_speaking(page, "admin", language)
            people_pages(page, base, out, language, args.mail_dir)
            context.close()

            context = browser.new_context(viewport={"width": 1366, "height": 800}, base_url=base)
            page = context.new_page()
            log_in_speaking(page, "james.cole", language)
            shoot(page, out, f"{language}-evaluator-home")
            page.goto(f"{base}/sessions/{ids['scoring']}/")
            shoot(page, out, f"{language}-evaluator-session")
            page.set_viewport_size({"width": 1366, "height": 800})
            page.goto(f"{base}/")
            page.locator("form[action*='/score/next/'] button").first.click()
            page.wait_for_url(re.compile(r".*/evaluations/\d+/$"))
            shoot(page, out, f"{language}-evaluation")
            rulings = page.locator(".rulings-link a").first
            if rulings.count():
                page.set_viewport_size({"width": 1366, "height": 800})
                rulings.click()
                page.wait_for_selector("#rulings-panel > *")
                shoot(page, out, f"{language}-evaluation-rulings")
            context.close()
        browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main()
