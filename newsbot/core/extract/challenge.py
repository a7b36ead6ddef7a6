"""Telling an anti-bot JavaScript challenge page from content."""

from __future__ import annotations

import re

#: What every challenge page seen so far says (lower case: matched case-insensitively).
_CHALLENGE_MARKERS = (
    "wzwschallenge", "wzws_confirm", "请开启javascript", "enable javascript", "__jsl_clearance",
    "acw_sc__v2",
)  # fmt: skip


def looks_like_js_challenge(html: str) -> bool:
    """Whether a page is an anti-bot JavaScript challenge rather than content (e.g. PBOC's
    "网站卫士" page: a tiny body, a <noscript> notice and a cookie-setting script).

    Plain substring tests of the lower-cased head first (a few microseconds on a content
    page); the markup is stripped to measure the text only on a page that has a marker.
    """
    head = html[:20_000]
    lowered = head.lower()
    if not any(marker in lowered for marker in _CHALLENGE_MARKERS):
        return False
    return len(re.sub(r"<[^>]+>|\s", "", head)) < 8000
