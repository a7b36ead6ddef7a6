"""Logging of ``newsbot crawl``: stderr at one level, a rotating file at another."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from typing import TYPE_CHECKING

from newsbot.ops.options import RunOptions, log_level

if TYPE_CHECKING:
    from scrapy.settings import Settings


def install_log_handlers(settings: Settings, options: RunOptions) -> list[logging.Handler]:
    """stderr at ``log_level`` and, if asked, a rotating file at ``log_file_level``."""
    from scrapy.utils.log import TopLevelFormatter

    formatter = logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT"))
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    handlers[0].setLevel(log_level(options.log_level))
    if options.log_file is not None:
        options.log_file.parent.mkdir(parents=True, exist_ok=True)
        rotating = logging.handlers.RotatingFileHandler(
            options.log_file, maxBytes=options.log_file_bytes, backupCount=options.log_file_backups,
            encoding="utf-8",
        )  # fmt: skip
        rotating.setLevel(log_level(options.log_file_level))
        handlers.append(rotating)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(TopLevelFormatter(["scrapy"]))
        logging.root.addHandler(handler)
    logging.root.setLevel(min(handler.level for handler in handlers))
    return handlers
