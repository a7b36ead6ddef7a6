"""Pure date handling: Chinese news date text → aware datetime in Asia/Shanghai.

Every record's date is printed ``YYYY-MM-DD HH:MM:SS +0800`` (:func:`format_date`).
Compiled regexes, no dateparser: it is ~400x slower on these forms (docs/benchmarks.md).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"

_ABSOLUTE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[年/\-.]\s*(?P<m>\d{1,2})\s*[月/\-.]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?"
    r"(?:\.\d+)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_EPOCH = re.compile(r"^\s*(?P<n>\d{10}|\d{13})\s*$")


def _to_ascii_digits(text: str) -> str:
    """Full-width digits and punctuation (２０２２－０３) become ASCII."""
    return unicodedata.normalize("NFKC", text)


def parse_date(text: str | int | float | None, now: datetime | None = None) -> datetime | None:
    """Parse a date as Chinese news sites write it; None when there is no date in ``text``.

    Naive dates are Asia/Shanghai; explicit offsets are converted to +0800. ``now`` (the
    crawl time) is injectable for tests.
    """
    if text is None or text == "":
        return None
    if isinstance(text, int | float):
        return _from_epoch(float(text))
    value = _to_ascii_digits(str(text)).strip()
    epoch = _EPOCH.match(value)
    if epoch:
        return _from_epoch(float(epoch.group("n")))
    match = _ABSOLUTE.search(value) or _COMPACT.search(value)
    if match is None:
        return None
    return _build(match.groupdict())


def _from_epoch(number: float) -> datetime:
    seconds = number / 1000 if number > 1e11 else number
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(SHANGHAI)


def _build(parts: dict[str, str | None]) -> datetime | None:
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
