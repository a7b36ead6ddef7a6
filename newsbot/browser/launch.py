"""Launching Debian's Chromium for ``render: true`` feeds, and the request meta that sends
a page through it.

Only feeds that ask for it get the browser (their spider's settings switch the inner
download handler to scrapy-playwright); every other feed keeps Scrapy's HTTP handler. In
mirror mode, every request the page makes — the document, its scripts, XHR/fetch to the
real hosts' APIs — is answered from the mirror by a Playwright route, so the page keeps
its real origin (cookies, relative URLs) while nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbot.config.runtime import NewsbotSettings

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from newsbot.config import BrowserOptions

CHROMIUM_ENV = "CHROMIUM_PATH"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
RENDER_HANDLER = "newsbot.browser.handler.BoundedPlaywrightHandler"
INSTALL_HINT = (
    "install Debian's Chromium (`apt-get install -y chromium`, or `make system`) or point "
    f"${CHROMIUM_ENV} / the NEWSBOT_CHROMIUM_PATH setting at a Chromium binary; "
    "`playwright install` cannot download browsers on these machines"
)
#: Flags that keep a headless Chromium from calling out to Google's services.
QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
)


def chromium_available(path: str) -> bool:
    """Whether ``path`` (or the command of that name) is an executable file."""
    resolved = path if os.sep in path else shutil.which(path)
    return bool(resolved) and Path(str(resolved)).is_file() and os.access(str(resolved), os.X_OK)


def launch_options(path: str) -> dict[str, Any]:
    """PLAYWRIGHT_LAUNCH_OPTIONS for Debian's Chromium (``--no-sandbox`` only as root)."""
    flags = list(QUIET_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.insert(0, "--no-sandbox")  # Chromium refuses to start its sandbox as root
    return {"executable_path": path, "headless": True, "args": flags}


def apply_render_settings(settings: BaseSettings, options: BrowserOptions) -> None:
    """Switch a render feed's crawler to scrapy-playwright with Debian's Chromium."""
    settings.set("NEWSBOT_INNER_DOWNLOAD_HANDLER", RENDER_HANDLER, priority="spider")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="spider")
    chromium = NewsbotSettings.from_settings(settings).chromium_path
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(chromium), "spider")
    settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", options.max_pages, priority="spider")
    # A crashed browser fails the pages it had open; the next page starts a new one.
    settings.set("PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER", True, priority="spider")
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", options.timeout * 1000, priority="spider")


def render_meta(
    options: BrowserOptions, mirror: str, wait_for: str | None, feed: str
) -> dict[str, Any]:
    """Request meta that sends a request through Chromium (see :func:`init_page`)."""
    from scrapy_playwright.page import PageMethod

    methods = []
    timeout_ms = options.timeout * 1000
    if options.network_idle:
        methods.append(PageMethod("wait_for_load_state", "networkidle", timeout=timeout_ms))
    if wait_for:
        methods.append(
            PageMethod("wait_for_selector", wait_for, state="attached", timeout=timeout_ms)
        )
    return {
        "playwright": True,
        "playwright_page_methods": methods,
        "playwright_page_init_callback": "newsbot.browser.routing.init_page",
        "newsbot_mirror": mirror,
        "newsbot_block": list(options.block),
        "newsbot_render_timeout": options.timeout,
        "newsbot_feed": feed,
    }
