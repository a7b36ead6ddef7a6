"""The charset a text response is decoded with, checked against its bytes.

:class:`CharsetMiddleware` (downloader middleware) asks
:func:`newsbot.core.encoding.choose_encoding` which encoding a page's bytes are really in.
When that differs from what Scrapy would use (a header, ``<meta>`` or default that lies),
the response is decoded in the right one instead (``newsbot/encoding_fixed``, flag
``encoding_fixed``); when no candidate decodes it, it is flagged ``undecodable``
(``newsbot/encoding_undecodable``) and the spider's item for it is dropped as
``undecodable``. Both flows, HTML pages and JSON APIs, read ``response.text`` and so get
the fixed encoding. Control characters in a page's text are dropped here too
(``newsbot/controls_dropped``): they are never text, and lxml refuses some of them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse, TextResponse

from newsbot.core.encoding import CONTROLS, choose_encoding, drop_controls

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Response flags set by the middleware (shown in Scrapy's "Crawled (200)" log line).
ENCODING_FIXED = "encoding_fixed"
UNDECODABLE = "undecodable"


class CharsetMiddleware:
    """Decodes each text response in the encoding its bytes are in (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CharsetMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        """The response, decoded in the encoding of its bytes, or flagged undecodable."""
        if not isinstance(response, TextResponse) or not response.body:
            return response
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        html = isinstance(response, HtmlResponse)
        choice = choose_encoding(response.body, content_type, response.encoding, html)
        if not choice.changed:
            return self.without_controls(request, response)
        assert self.crawler.stats is not None
        feed = getattr(self.crawler.spider, "name", "?")
        declared = ", ".join(choice.declared) or "none"
        if choice.encoding is None:
            self.crawler.stats.inc_value("newsbot/encoding_undecodable")
            logger.warning(
                "feed %r: %s decodes in no charset (declared: %s; %d bad bytes)",
                feed, request.url, declared, choice.errors,
            )  # fmt: skip
            return response.replace(flags=[*response.flags, UNDECODABLE])
        self.crawler.stats.inc_value("newsbot/encoding_fixed")
        logger.info(
            "feed %r: %s decoded as %s, not %s (declared: %s)",
            feed, request.url, choice.encoding, response.encoding, declared,
        )  # fmt: skip
        fixed = response.replace(encoding=choice.encoding, flags=[*response.flags, ENCODING_FIXED])
        return self.without_controls(request, fixed)

    def without_controls(self, request: Request, response: TextResponse) -> TextResponse:
        """The response with the control characters of its text dropped (re-encoded as
        UTF-8), counted as ``newsbot/controls_dropped``; the same response when it has none."""
        text = response.text
        if not CONTROLS.search(text):
            return response
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsbot/controls_dropped")
        logger.info("feed %r: %s: control characters dropped from its text",
                    getattr(self.crawler.spider, "name", "?"), request.url)  # fmt: skip
        return response.replace(body=drop_controls(text).encode("utf-8"), encoding="utf-8")
