"""Pure: a record's ``categories`` and ``tags`` from the feed's templates and the publisher."""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=4096)
def pinyin_slug(name: str) -> str:
    """Toneless pinyin of a name, syllables joined, ASCII kept: 上海证券报 → shanghaizhengquanbao.

    pypinyin's phrase dictionary reads polyphonic characters in context (重庆 → chongqing,
    银行 → yinhang).
    """
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    return re.sub(r"[^a-z0-9]+", "", "".join(syllables).lower())


def render_label(template: str, source: str | None, feed: str) -> str:
    """Fill ``{source}``, ``{source_pinyin}`` and ``{feed}`` in a categories/tags template."""
    name = source or ""
    slug = pinyin_slug(name) if "{source_pinyin}" in template else ""
    return template.format(source=name, source_pinyin=slug, feed=feed)
