"""Telling an anti-bot JavaScript challenge page from content."""

from __future__ import annotations

import re

_CHALLENGE_MARKERS = re.compile(
    r"wzwschallenge|WZWS_CONFIRM|请开启JavaScript|enable JavaScript|__jsl_clearance|acw_sc__v2",
    re.IGNORECASE,
)


def looks_like_js_challenge(html: str) -> bool:
    """Whether a page is an anti-bot JavaScript challenge rather than content (e.g. PBOC's
    "网站卫士" page: a tiny body, a <noscript> notice and a cookie-setting script)."""
    head = html[:20_000]
    return bool(_CHALLENGE_MARKERS.search(head)) and len(re.sub(r"<[^>]+>|\s", "", head)) < 8000
