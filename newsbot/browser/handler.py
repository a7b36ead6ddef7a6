"""scrapy-playwright's download handler, with a bound on each rendered page: a browser
that crashed or hung mid-page can leave a page waiting forever. Pages a crashed browser
took with it are reported with their feed and URL, and retried: a crash is a
:class:`BrowserCrashed` (a ``ConnectionError``), which Scrapy's RetryMiddleware retries
as it retries a lost connection."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from playwright._impl._errors import Error as PlaywrightError
from playwright._impl._errors import TargetClosedError
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Seconds a rendered page may take beyond its feed's browser timeout.
RENDER_GRACE = 15


class BrowserCrashed(ConnectionError):
    """Chromium crashed or was killed while it rendered the page (retried like a lost
    connection: Scrapy's RETRY_EXCEPTIONS hold OSError)."""


def browser_crash(error: Exception) -> BrowserCrashed | None:
    """The :class:`BrowserCrashed` a Playwright error stands for, if it says the browser
    or its page died: scrapy-playwright retries a closed target itself, a few times, but
    gives a renderer that crashed mid-page (``Page.content: Target crashed``) straight back
    as a plain Playwright error, which Scrapy does not retry."""
    if isinstance(error, TargetClosedError) or (
        isinstance(error, PlaywrightError) and "Target crashed" in error.message
    ):
        return BrowserCrashed(f"Chromium crashed while rendering the page ({error.message})")
    return None


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """Renders ``playwright`` requests within ``browser.timeout`` + RENDER_GRACE seconds;
    other requests go through Scrapy's HTTP handler, as in scrapy-playwright."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        #: Requests being rendered right now (URL → feed): what a crash report names.
        self.loading: dict[str, str] = {}

    async def download_request(self, request: Request) -> Response:
        """Render (bounded) or download one request."""
        if not request.meta.get("playwright"):
            response: Response = await super().download_request(request)
            return response
        limit = float(request.meta.get("newsbot_render_timeout") or 30) + RENDER_GRACE
        feed = str(request.meta.get("newsbot_feed", "?"))
        self.loading[request.url] = feed
        try:
            rendered: Response = await asyncio.wait_for(super().download_request(request), limit)
            return rendered
        except TimeoutError:
            logger.error(
                "feed %r: Chromium gave no page for %s within %.0f s "
                "(the browser crashed or hung); a new browser takes over",
                feed, request.url, limit,
            )  # fmt: skip
            raise TimeoutError(f"Chromium gave no page within {limit:.0f} s") from None
        except PlaywrightError as error:
            crash = browser_crash(error)
            if crash is None:
                raise
            raise crash from error
        finally:
            self.loading.pop(request.url, None)

    async def _browser_disconnected_callback(self) -> None:
        # scrapy-playwright's hook for a lost browser (it restarts it when
        # PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER is on); name the pages it took.
        for url, feed in sorted(self.loading.items()):
            logger.error(
                "feed %r: Chromium crashed or was killed while rendering %s; "
                "the page is retried in a new browser",
                feed, url,
            )  # fmt: skip
        await super()._browser_disconnected_callback()
