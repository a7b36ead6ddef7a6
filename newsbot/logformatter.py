"""Log formatting: a dropped item is one short line (its reason and URL), not a dump."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class NewsbotLogFormatter(LogFormatter):
    """Scrapy's formatter, with drops logged at DEBUG without the item's fields.

    The pipelines already log each drop once with its reason and URL, and count it.
    """

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider | None = None,
    ) -> LogFormatterResult:
        return {
            "level": logging.DEBUG,
            "msg": "Dropped (%(reason)s): %(url)s",
            "args": {"reason": exception, "url": getattr(item, "url", "?")},
        }
