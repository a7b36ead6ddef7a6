"""Pure cleaning: sanitize body HTML, strip page chrome, plain text, lift bylines into fields.

The steps live in :mod:`.sanitize`, :mod:`.boilerplate`, :mod:`.text` and :mod:`.bylines`;
their public names are re-exported here so ``from newsbot.core.clean import …`` keeps working.
"""

from __future__ import annotations

from newsbot.core.clean.boilerplate import DEFAULT_BOILERPLATE, DEFAULT_CUT_AFTER, strip_boilerplate
from newsbot.core.clean.bylines import BYLINE_PATTERNS, Bylines, split_bylines
from newsbot.core.clean.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROPPED_TAGS,
    VOID_TAGS,
    sanitize_html,
)
from newsbot.core.clean.text import BLOCK_TAGS, clean_body, html_to_lines, html_to_text

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "BLOCK_TAGS",
    "BYLINE_PATTERNS",
    "DEFAULT_BOILERPLATE",
    "DEFAULT_CUT_AFTER",
    "DROPPED_TAGS",
    "VOID_TAGS",
    "Bylines",
    "clean_body",
    "html_to_lines",
    "html_to_text",
    "sanitize_html",
    "split_bylines",
    "strip_boilerplate",
]
