"""JavaScript pages: scrapy-playwright driving Debian's Chromium, for ``render: true`` feeds.

Only feeds that ask for it get the browser (their spider's settings switch the inner
download handler to scrapy-playwright); every other feed keeps Scrapy's HTTP handler. In
mirror mode, every request the page makes — the document, its scripts, XHR/fetch to the
real hosts' APIs — is answered from the mirror by a Playwright route, so the page keeps
its real origin (cookies, relative URLs) while nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from newsbot.mirror import mirror_url

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Route
    from playwright.async_api import Request as BrowserRequest
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from newsbot.config.models import BrowserOptions

logger = logging.getLogger(__name__)

CHROMIUM_ENV = "CHROMIUM_PATH"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
RENDER_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
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


def chromium_path(settings: BaseSettings) -> str:
    """The Chromium binary: $CHROMIUM_PATH, else NEWSBOT_CHROMIUM_PATH, else /usr/bin/chromium."""
    return os.environ.get(CHROMIUM_ENV) or settings.get("NEWSBOT_CHROMIUM_PATH") or DEFAULT_CHROMIUM


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
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(chromium_path(settings)), "spider")
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
        "playwright_page_init_callback": "newsbot.browser.init_page",
        "newsbot_mirror": mirror,
        "newsbot_block": list(options.block),
        "newsbot_render_timeout": options.timeout,
        "newsbot_feed": feed,
    }


#: Requests being rendered right now (URL → feed): what a crash report names.
LOADING: dict[str, str] = {}
_WATCHED: set[int] = set()


def _watch_browser(page: Page) -> None:
    """Report the pages a browser takes with it when it crashes or is killed."""
    browser = page.context.browser
    if browser is None or id(browser) in _WATCHED:
        return
    _WATCHED.add(id(browser))

    def on_disconnected(gone: Browser) -> None:
        _WATCHED.discard(id(gone))
        for url, feed in sorted(LOADING.items()):
            logger.error(
                "feed %r: Chromium crashed or was killed while rendering %s; "
                "the page is retried in a new browser",
                feed, url,
            )  # fmt: skip

    browser.on("disconnected", on_disconnected)


async def download_rendered(inner: Any, request: Request, crawler: Crawler) -> Response:
    """Have scrapy-playwright render a request, within a bound: a browser that crashed or
    hung mid-page can leave a page waiting forever. The wait is logged with feed and URL."""
    limit = float(request.meta.get("newsbot_render_timeout") or 30) + 15
    LOADING[request.url] = str(request.meta.get("newsbot_feed", "?"))
    try:
        return cast("Response", await asyncio.wait_for(inner.download_request(request), limit))
    except TimeoutError:
        spider = crawler.spider
        logger.error(
            "feed %r: Chromium gave no page for %s within %.0f s "
            "(the browser crashed or hung); a new browser takes over",
            spider.name if spider else "?", request.url, limit,
        )  # fmt: skip
        raise TimeoutError(f"Chromium gave no page within {limit:.0f} s") from None
    finally:
        LOADING.pop(request.url, None)


async def init_page(page: Page, request: Request) -> None:
    """Route every request of the page: blocked resource types are aborted; in mirror
    mode everything else is fetched from the mirror under its real URL."""
    _watch_browser(page)
    mirror: str = request.meta.get("newsbot_mirror", "")
    blocked = frozenset(request.meta.get("newsbot_block", ()))

    async def route_request(route: Route, browser_request: BrowserRequest) -> None:
        if browser_request.resource_type in blocked:
            await route.abort()
            return
        url = browser_request.url
        if not mirror or not url.startswith(("http://", "https://")):
            await route.fallback()
            return
        headers = await browser_request.all_headers()
        cookies = await page.context.cookies(url)
        if cookies:
            headers["cookie"] = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
        headers.pop("host", None)
        response = await route.fetch(url=mirror_url(mirror, url), headers=headers, max_redirects=0)
        await route.fulfill(response=response)

    await page.route("**/*", route_request)
