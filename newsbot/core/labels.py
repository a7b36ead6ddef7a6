"""Pure: a record's ``categories`` and ``tags`` from the feed's templates and the publisher.

``{source_pinyin}`` needs pypinyin, whose phrase dictionary (47k phrases, ~64 MB of Python
objects) loads when pypinyin is imported. So pypinyin is imported only when a slug is first
needed, with that dictionary off; for each name, the phrases that occur in it are read from
pypinyin's ``phrases_dict.json`` and loaded. Its forward max-matching segmentation then reads
the name as with the whole dictionary, since a phrase that does not occur in a name cannot
match in it (重庆银行 → chongqingyinhang, not zhongqingyinxing).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from functools import lru_cache, partial
from pathlib import Path

log = logging.getLogger(__name__)

Phrases = dict[str, list[list[str]]]

PHRASES_JSON: Path | None = None
"""pypinyin's ``phrases_dict.json``; ``None``: the one next to pypinyin (tests change it)."""

_PROBE = "银行"  # in every pypinyin phrase dictionary: not found means the file's layout changed
_NO_PHRASES = "PYPINYIN_NO_PHRASES"  # read by pypinyin.constants at import


@lru_cache(maxsize=4096)
def pinyin_slug(name: str) -> str:
    """Toneless pinyin of a name, syllables joined, ASCII kept: 上海证券报 → shanghaizhengquanbao.

    The same as full pypinyin's ``lazy_pinyin(name, style=Style.NORMAL)``: phrases read
    polyphonic characters in context (重庆 → chongqing, 银行 → yinhang).
    """
    phrases_in = _phrase_lookup()  # imports pypinyin first, its phrase dictionary off
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    if phrases_in is not None:
        load_phrases_dict(phrases_in(name))
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    return re.sub(r"[^a-z0-9]+", "", "".join(syllables).lower())


@lru_cache(maxsize=1)
def _phrase_lookup() -> Callable[[str], Phrases] | None:
    """Import pypinyin without its phrase dictionary; the lookup of a name's phrases.

    ``None`` when pypinyin holds its whole dictionary: imported so before us, or loaded here
    (with a warning) because ``phrases_dict.json`` no longer has the layout looked up.
    """
    saved = os.environ.get(_NO_PHRASES)
    os.environ[_NO_PHRASES] = "1"
    try:
        from pypinyin import constants
    finally:
        if saved is None:
            del os.environ[_NO_PHRASES]
        else:
            os.environ[_NO_PHRASES] = saved
    if _PROBE in constants.PHRASES_DICT:
        return None
    path = PHRASES_JSON or Path(constants.__file__).with_name("phrases_dict.json")
    try:
        if _PROBE in _phrases_in_file(path, _PROBE):
            return partial(_phrases_in_file, path)
        problem = f"{_PROBE} not found"
    except (OSError, ValueError) as exc:
        problem = repr(exc)
    log.warning("Pinyin: %s not read phrase by phrase (%s); loading all its phrases", path, problem)
    from pypinyin import load_phrases_dict, phrases_dict

    load_phrases_dict(phrases_dict.phrases_dict)
    return None


def _phrases_in_file(path: Path, name: str) -> Phrases:
    """The phrases of pypinyin's pretty-printed ``phrases_dict.json`` that occur in ``name``.

    Each key starts a line (``"银行": [``); the file's bytes are searched for every substring
    of two characters or more, and only the values found are parsed.
    """
    data = path.read_bytes()
    found: Phrases = {}
    for start in range(len(name)):
        for end in range(start + 2, len(name) + 1):
            line = b'\n"' + name[start:end].encode()
            if line not in data:
                break  # no phrase starts with name[start:end]
            at = data.find(line + b'": [')
            if at >= 0:
                found[name[start:end]] = _value_at(data, at + len(line) + 3)
    return found


def _value_at(data: bytes, at: int) -> list[list[str]]:
    """The JSON list starting at ``data[at]``, which ends before the next key."""
    end = data.find(b'": [', at)
    value, _ = json.JSONDecoder().raw_decode(data[at : end if end >= 0 else None].decode())
    if not isinstance(value, list):
        raise ValueError(f"not a list of readings at byte {at}")
    return value


def render_label(template: str, source: str | None, feed: str) -> str:
    """Fill ``{source}``, ``{source_pinyin}`` and ``{feed}`` in a categories/tags template."""
    name = source or ""
    slug = pinyin_slug(name) if "{source_pinyin}" in template else ""
    return template.format(source=name, source_pinyin=slug, feed=feed)
