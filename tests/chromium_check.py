"""Load pages in real Chromium and report what ran in each: dialogs (``alert(N)``) and
requests to the payloads' marker host. Run as a subprocess by tests/test_payloads.py
(Playwright's sync API stays out of the test process's Twisted/asyncio reactor):

    python -m tests.chromium_check PAGES.json RESULT.json

PAGES.json maps a page name to ``{"html": …, "wait_ms": …}``; RESULT.json maps it to
``{"dialogs": [messages], "marker": [paths], "error": str}``. One browser, one tab:
each page is loaded with ``page.set_content`` and poked as a reader would poke it (every
element hovered, focused and clicked) before its events are read. Every request is
aborted (nothing leaves the machine); one to the marker host is recorded first. Should
Chromium crash (156 can, after dialogs from opaque-origin frames), it is started again and
the page tried once more; the result says so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Dialog, Playwright, Route, sync_playwright

from newsbot.browser.launch import DEFAULT_CHROMIUM, launch_options
from tests.xss_payloads import MARKER_HOST

POKE = """() => {
  for (const el of Array.from(document.querySelectorAll('*'))) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
      try { el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true})); }
      catch (e) {}
    }
  }
}"""


def check(pages: dict[str, dict[str, Any]], chromium: str = DEFAULT_CHROMIUM) -> dict[str, Any]:
    """What ran in each page."""
    results: dict[str, Any] = {}
    current: dict[str, Any] = {}

    def on_dialog(dialog: Dialog) -> None:
        current["dialogs"].append(dialog.message)
        dialog.dismiss()

    def on_route(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.hostname == MARKER_HOST:
            current["marker"].append(url.path)
        route.abort()  # nothing leaves the machine

    with sync_playwright() as playwright:
        tab = _Tab(playwright, chromium, on_dialog, on_route)
        for name, spec in pages.items():
            for attempt in range(2):  # Chromium 156 may crash after cross-origin dialogs
                current = results[name] = {"dialogs": [], "marker": [], "error": ""}
                try:
                    tab.load(spec["html"], spec.get("wait_ms", 100))
                    break
                except Exception as error:  # recorded, never hidden
                    current["error"] = f"{type(error).__name__}: {error}".splitlines()[0]
                    if not tab.alive():
                        tab.relaunch()
                        current["relaunched"] = attempt + 1
                    else:
                        break  # a payload navigated away: what ran is already recorded
        tab.browser.close()
    return results


class _Tab:
    """The one page the pages are loaded into (a new browser only if Chromium crashed)."""

    def __init__(self, playwright: Playwright, chromium: str, on_dialog: Any, on_route: Any):
        self.playwright, self.chromium = playwright, chromium
        self.on_dialog, self.on_route = on_dialog, on_route
        self.relaunch()

    def relaunch(self) -> None:
        """Start Chromium (again) and open the page."""
        if getattr(self, "browser", None) is not None and self.browser.is_connected():
            self.browser.close()
        self.crashed = False
        self.browser = self.playwright.chromium.launch(**launch_options(self.chromium))
        context = self.browser.new_context()
        context.route("**/*", self.on_route)
        self.page = context.new_page()
        self.page.on("dialog", self.on_dialog)
        self.page.on("crash", lambda _page: setattr(self, "crashed", True))

    def alive(self) -> bool:
        """Whether the browser and its page are still there."""
        return self.browser.is_connected() and not self.page.is_closed() and not self.crashed

    def load(self, html: str, wait_ms: int) -> None:
        """Load ``html``, poke every element, give late events ``wait_ms``, leave it."""
        self.page.set_content(html, wait_until="load", timeout=5000)
        self.page.evaluate(POKE)
        self.page.wait_for_timeout(wait_ms)
        # leave the page before the next one is named: its timers stop, and the events it
        # sent that are still on their way are read now, while they are still its own
        self.page.goto("about:blank", timeout=5000)


def main() -> None:
    """Read the pages, write what ran."""
    pages = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    Path(sys.argv[2]).write_text(json.dumps(check(pages)), encoding="utf-8")


if __name__ == "__main__":
    main()
