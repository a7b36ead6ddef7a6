"""The offline mirror: saved pages laid out as ``<host>/<path>`` (``layout``, pure), a
server for them (``server``), and the download handler that routes every plain request
to it while Scrapy keeps seeing real URLs (``handler``). See docs/mirror.md."""

from __future__ import annotations

from newsbot.mirror.layout import (
    CHALLENGE_RULE,
    FAULT_RULE,
    MIRROR_ENV,
    REDIRECT_RULE,
    guess_content_type,
    mirror_relpath,
    mirror_url,
    save_page,
)
from newsbot.mirror.server import MirrorServer, start_mirror_thread

__all__ = [
    "CHALLENGE_RULE",
    "FAULT_RULE",
    "MIRROR_ENV",
    "REDIRECT_RULE",
    "MirrorServer",
    "guess_content_type",
    "mirror_relpath",
    "mirror_url",
    "save_page",
    "start_mirror_thread",
]
