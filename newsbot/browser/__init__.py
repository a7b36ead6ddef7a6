"""JavaScript pages: scrapy-playwright driving Debian's Chromium, for ``render: true`` feeds.

Only feeds that ask for it get the browser (their spider's settings make
:class:`~newsbot.browser.handler.BoundedPlaywrightHandler` the inner download handler);
every other feed keeps Scrapy's HTTP handler. ``launch`` holds the launch options and
request meta, ``handler`` the bounded download, ``routing`` the in-page request routing.
"""

from __future__ import annotations

from newsbot.browser.launch import (
    CHROMIUM_ENV,
    DEFAULT_CHROMIUM,
    INSTALL_HINT,
    QUIET_FLAGS,
    RENDER_HANDLER,
    apply_render_settings,
    chromium_available,
    launch_options,
    render_meta,
)

__all__ = [
    "CHROMIUM_ENV",
    "DEFAULT_CHROMIUM",
    "INSTALL_HINT",
    "QUIET_FLAGS",
    "RENDER_HANDLER",
    "apply_render_settings",
    "chromium_available",
    "launch_options",
    "render_meta",
]
