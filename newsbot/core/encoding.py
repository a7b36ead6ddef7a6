"""Which encoding a page's bytes are really in, when its declarations lie. Pure.

Scrapy decodes a page with the first of: a byte-order mark, the HTTP header's charset,
the ``<meta charset>``, a guess; and it decodes with replacement, so a wrong label gives
mojibake without a word. :func:`choose_encoding` checks the bytes instead:

1. a BOM decides (as in Scrapy and browsers), if the body decodes strictly in it;
2. an all-ASCII body needs no decision: what Scrapy chose is kept;
3. a body that decodes strictly as UTF-8 is UTF-8 (valid multibyte UTF-8 is almost never
   an accident of another encoding; GBK bytes hardly ever form it);
4. otherwise each candidate — the declared charsets (header, then ``<meta>``), GB18030
   (gbk and gb2312 labels are read as GB18030, their superset) and Big5 (as Big5-HKSCS)
   — is decoded strictly and the text scored by its share of common Chinese characters
   and punctuation; a declared candidate that decodes strictly and reads as plausible
   Chinese wins at once (the cheap path of a normal page), else the best-scoring one.
   Latin labels (ISO-8859-1, windows-1252, ASCII) decode nearly anything, so they count
   only when no Chinese candidate reads as plausible Chinese;
5. when nothing decodes strictly, the candidate with the fewest bad bytes is kept if they
   are rare (a page with one broken character keeps its article), else the page is
   undecodable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import islice

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

#: C0 controls but tab, newline and carriage return; DEL; the C1 controls. Never text: a
#: broken CMS export's or a pasted document's, and lxml refuses some of them outright.
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Encodings tried on every non-UTF-8 body besides the declared ones, in this order.
CHINESE_ENCODINGS = ("gb18030", "big5hkscs")
#: Labels a server or template writes by default, not as a statement about the bytes.
LATIN_ENCODINGS = frozenset({"cp1252", "latin_1", "ascii", "iso8859-1", "iso8859-15"})
#: The share of non-ASCII characters that must be common Chinese (or CJK punctuation)
#: for a decode to read as Chinese text.
PLAUSIBLE = 0.6
#: At most this many bad sequences per non-ASCII byte are tolerated in the kept candidate.
TOLERATED_ERRORS = 0.01
_HIGH_BYTES = bytes(range(0x80, 0x100))
#: Characters scored (enough for a verdict, bounded work on a large page).
SAMPLE = 4000


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding to decode a body with, and how it was reached."""

    #: Python codec name, or None when no candidate decodes the body.
    encoding: str | None
    #: Whether it differs from the encoding the crawler would have used.
    changed: bool
    #: The declared charsets (header, meta), as found; for the log line.
    declared: tuple[str, ...] = ()
    #: Byte sequences that do not decode in ``encoding`` (tolerated when rare).
    errors: int = 0


def normalize(label: str | None) -> str | None:
    """A charset label as the codec name Scrapy (w3lib) would use, or None if unknown."""
    return resolve_encoding(label) if label else None


def header_charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header value, normalized."""
    return http_content_type_encoding(content_type)


def choose_encoding(
    body: bytes, content_type: str, current: str, html: bool = True
) -> EncodingChoice:
    """The encoding ``body`` is really in, given its Content-Type header and the encoding
    Scrapy chose (``current``); ``html`` also reads ``<meta charset>`` declarations."""
    current_name = normalize(current) or current
    header = header_charset(content_type)
    meta = html_body_declared_encoding(body) if html else None
    declared = tuple(label for label in (header, meta) if label)

    bom, mark = read_bom(body)
    if bom is not None and _strict(body[len(mark or b"") :], bom) is not None:
        encoding, errors = normalize(bom), 0
    elif body.isascii():
        encoding, errors = current_name, 0
    elif _strict(body, "utf-8") is not None:
        encoding, errors = "utf-8", 0
    else:
        encoding, errors = _legacy(body, declared)
    return EncodingChoice(encoding, encoding != current_name, declared, errors)


def _legacy(body: bytes, declared: tuple[str, ...]) -> tuple[str | None, int]:
    """Steps 4 and 5 for a non-ASCII body that is not UTF-8: (encoding, bad bytes)."""
    names = [normalize(label) for label in declared]
    stated = [name for name in names if name and name not in LATIN_ENCODINGS]
    latin = [name for name in names if name and name in LATIN_ENCODINGS]
    scores: dict[str, float] = {}
    for name in dict.fromkeys([*stated, *CHINESE_ENCODINGS]):
        text = _strict(body, name)
        if text is None:
            continue
        scores[name] = chinese_share(text)
        if name in stated and scores[name] >= PLAUSIBLE:
            return name, 0  # declared, decodes, reads as Chinese: the normal page
    best = max(scores, key=lambda name: scores[name], default=None)
    if best is not None and (scores[best] >= PLAUSIBLE or not latin):
        return best, 0
    for name in latin:
        if _strict(body, name) is not None:
            return name, 0
    if best is not None:
        return best, 0
    return _least_damaged(body, [*stated, *CHINESE_ENCODINGS, *latin])


def _least_damaged(body: bytes, names: list[str]) -> tuple[str | None, int]:
    """The candidate with the fewest undecodable bytes, if those are rare; else None."""
    limit = int(TOLERATED_ERRORS * (len(body) - len(body.translate(None, _HIGH_BYTES))))
    damage = {name: _errors(body, name) for name in dict.fromkeys(["utf-8", *names])}
    name = min(damage, key=lambda candidate: damage[candidate])
    return (name if damage[name] <= limit else None), damage[name]


def _strict(body: bytes, encoding: str) -> str | None:
    """``body`` decoded strictly, or None if it does not decode."""
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _errors(body: bytes, encoding: str) -> int:
    """How many byte sequences of ``body`` fail to decode in ``encoding`` (each becomes
    one U+FFFD when decoded with replacement, as Scrapy does)."""
    return body.decode(encoding, errors="replace").count("\ufffd")


def chinese_share(text: str) -> float:
    """How much the (first :data:`SAMPLE`) non-ASCII characters of ``text`` read as
    Chinese: the share of common Chinese characters (GB2312 or Big5 level 1) and CJK
    punctuation, less ten times the share of characters Chinese news hardly ever holds
    (kana, Greek, Cyrillic, box drawing, private use: where Big5 bytes read as GBK fall) —
    near 1 for Chinese text, far lower for another encoding's bytes read as Chinese."""
    sample = list(islice((char for char in text if char >= "\x80"), SAMPLE))
    if not sample:
        return 1.0
    common = _common_chinese()
    good = sum(char in common or _is_punctuation(char) for char in sample)
    odd = sum(map(_is_odd, sample))
    return (good - 10 * odd) / len(sample)


def _is_odd(char: str) -> bool:
    point = ord(char)
    return (
        0x370 <= point <= 0x4FF  # Greek and Cyrillic rows of GB2312
        or 0x2500 <= point <= 0x257F  # box drawing
        or 0x3040 <= point <= 0x30FF  # kana
        or 0xE000 <= point <= 0xF8FF  # private use: GB18030's user-defined areas
    )


def _is_punctuation(char: str) -> bool:
    point = ord(char)
    return (
        0x3000 <= point <= 0x303F
        or 0xFF00 <= point <= 0xFFEF
        or 0x2010 <= point <= 0x2027
        or point in (0xA0, 0xB7, 0xD7)
    )


@cache
def _common_chinese() -> frozenset[str]:
    """GB2312's level-1 characters (simplified) and Big5's frequent ones (traditional)."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        chars.update(_row(lead, range(0xA1, 0xFF), "gb2312"))
    for lead in range(0xA4, 0xC7):
        chars.update(_row(lead, [*range(0x40, 0x7F), *range(0xA1, 0xFF)], "big5"))
    return frozenset(chars)


def _row(lead: int, trails: range | list[int], encoding: str) -> list[str]:
    """The characters of one lead byte's row of a double-byte code."""
    found = []
    for trail in trails:
        text = _strict(bytes((lead, trail)), encoding)
        if text is not None:
            found.append(text)
    return found


def drop_controls(text: str) -> str:
    """``text`` without control characters (:data:`CONTROLS`)."""
    return CONTROLS.sub("", text)
