"""Routing a rendered page's own requests: blocked resource types are aborted, and in
mirror mode every other request is answered from the mirror under its real URL, so the
page keeps its real origin (cookies, relative URLs) while nothing leaves the machine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsbot.mirror.layout import mirror_url

if TYPE_CHECKING:
    from playwright.async_api import Page, Route
    from playwright.async_api import Request as BrowserRequest
    from scrapy import Request


async def init_page(page: Page, request: Request) -> None:
    """Route every request of the page: blocked resource types are aborted; in mirror
    mode everything else is fetched from the mirror under its real URL."""
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
