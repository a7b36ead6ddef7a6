"""Pure date handling: Chinese news date text → aware datetime in Asia/Shanghai.

Every record's date is printed ``YYYY-MM-DD HH:MM:SS +0800`` (:func:`format_date`).
Compiled regexes, no dateparser: it is ~400x slower on these forms (docs/benchmarks.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"

_TIME = r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
_ABSOLUTE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[年/\-.]\s*(?P<m>\d{1,2})\s*[月/\-.]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    + _TIME
    + r"(?:\.\d+)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_MONTH_DAY = re.compile(
    r"(?<![\d.])(?P<m>\d{1,2})\s*(?:月\s*(?P<d1>\d{1,2})\s*日?|[-/](?P<d2>\d{1,2})(?![\d/-]))"
    + _TIME
)
_DAY_WORD = re.compile(r"(?P<word>今天|今日|昨天|昨日|前天)" + _TIME)
_AGO = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天|周)前")
_JUST_NOW = re.compile(r"刚刚|刚才")
_EPOCH = re.compile(r"^\s*(?P<n>\d{10}|\d{13})\s*$")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}
_CN_NUMBER = re.compile(r"([〇零一二两三四五六七八九十]+)\s*(年|月|日|号|时|点|分|秒)")
_DAY_OFFSETS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_UNIT_SECONDS = {"秒": 1, "分钟": 60, "小时": 3600, "天": 86400, "周": 604800}


def _cn_number(text: str, digit_by_digit: bool) -> str:
    """二〇二二 → 2022 (years, digit by digit); 二十五 → 25, 十二 → 12 (other fields)."""
    if digit_by_digit or "十" not in text:
        return "".join(str(_CN_DIGITS[c]) for c in text if c in _CN_DIGITS)
    tens, _, ones = text.partition("十")
    return str(
        (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    )


def _normalize(text: str) -> str:
    """Full-width forms to ASCII (NFKC), Chinese numerals before 年月日时分 to digits."""
    value = unicodedata.normalize("NFKC", text)
    return _CN_NUMBER.sub(lambda m: _cn_number(m.group(1), m.group(2) == "年") + m.group(2), value)


def parse_date(text: str | int | float | None, now: datetime | None = None) -> datetime | None:
    """Parse a date as Chinese news sites write it; None when there is no date in ``text``.

    Naive dates are Asia/Shanghai; explicit offsets are converted to +0800. Dates without
    a year take the year of ``now`` (the crawl time, injectable for tests) unless that
    puts them in the future; relative forms (昨天, 3小时前, 刚刚) count back from ``now``.
    """
    if text is None or text == "":
        return None
    if isinstance(text, int | float):
        return _from_epoch(float(text))
    value = _normalize(str(text)).strip()
    epoch = _EPOCH.match(value)
    if epoch:
        return _from_epoch(float(epoch.group("n")))
    match = _ABSOLUTE.search(value) or _COMPACT.search(value)
    if match is not None:
        return _build(match.groupdict())
    current = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI)
    return _relative(value, current) or _without_year(value, current)


def _relative(value: str, now: datetime) -> datetime | None:
    if _JUST_NOW.search(value):
        return now.replace(microsecond=0)
    ago = _AGO.search(value)
    if ago:
        seconds = int(ago.group("n")) * _UNIT_SECONDS[ago.group("unit")]
        return (now - timedelta(seconds=seconds)).replace(microsecond=0)
    word = _DAY_WORD.search(value)
    if word:
        day = now - timedelta(days=_DAY_OFFSETS[word.group("word")])
        return _build(
            {"y": str(day.year), "m": str(day.month), "d": str(day.day)} | _time_parts(word)
        )
    return None


def _without_year(value: str, now: datetime) -> datetime | None:
    match = _MONTH_DAY.search(value)
    if match is None:
        return None
    day = match.group("d1") or match.group("d2")
    parts: dict[str, str | None] = {"m": match.group("m"), "d": day} | _time_parts(match)
    moment = _build({"y": str(now.year)} | parts)
    if moment is not None and moment > now + timedelta(days=1):
        moment = _build({"y": str(now.year - 1)} | parts)  # "12-31" read on Jan 1st
    return moment


def _time_parts(match: re.Match[str]) -> dict[str, str | None]:
    return {"H": match.group("H"), "M": match.group("M"), "S": match.group("S")}


def _from_epoch(number: float) -> datetime:
    seconds = number / 1000 if number > 1e11 else number
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(SHANGHAI)


def _build(parts: Mapping[str, str | None]) -> datetime | None:
    try:
        moment = datetime(
            int(parts["y"] or 0),
            int(parts["m"] or 0),
            int(parts["d"] or 0),
            int(parts.get("H") or 0),
            int(parts.get("M") or 0),
            int(parts.get("S") or 0),
        )
    except ValueError:
        return None
    offset = parts.get("tz")
    if offset:
        if offset == "Z":
            zone = UTC
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return moment.replace(tzinfo=zone).astimezone(SHANGHAI)
    return moment.replace(tzinfo=SHANGHAI)


def format_date(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS +0800``."""
    return moment.astimezone(SHANGHAI).strftime(DATE_FORMAT)


def first_date(texts: Iterable[str | int | float | None]) -> datetime | None:
    """The first of these date texts that parses: a page's own date, then its fallbacks."""
    for text in texts:
        moment = parse_date(text)
        if moment is not None:
            return moment
    return None
