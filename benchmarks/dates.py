"""newsbot's date normalizer (newsbot.core.dates) against dateparser on the same date
forms: microseconds per call and the share of forms each reads right (to the minute, in
Asia/Shanghai, crawl time fixed). dateparser is a bench-only extra: ``pip install -e
'.[bench]'`` (``make bench`` does it).

    .venv/bin/python benchmarks/dates.py [--calls 2000]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsbot.core.dates import SHANGHAI, parse_date

NOW = datetime(2026, 12, 1, 15, 30, tzinfo=SHANGHAI)
#: Date texts as the crawled sites write them → the moment meant (Asia/Shanghai).
FORMS = {
    "2022-03-05 10:12": (2022, 3, 5, 10, 12),
    "2022-03-05": (2022, 3, 5, 0, 0),
    "2022/3/5 10:12:30": (2022, 3, 5, 10, 12),
    "2022.03.05": (2022, 3, 5, 0, 0),
    "2022年3月5日": (2022, 3, 5, 0, 0),
    "2022年03月05日 10:12": (2022, 3, 5, 10, 12),
    "2022年3月5日 10时12分": (2022, 3, 5, 10, 12),
    "二〇二二年三月五日": (2022, 3, 5, 0, 0),
    "２０２２－０３－０５　１０：１２": (2022, 3, 5, 10, 12),
    "发布时间：2022-03-05 10:12": (2022, 3, 5, 10, 12),
    "发布时间：2022-03-05 10:12　来源：测试银行": (2022, 3, 5, 10, 12),
    "来源：人民银行 2022年3月5日": (2022, 3, 5, 0, 0),
    "[2022-03-05]": (2022, 3, 5, 0, 0),
    "2022-03-05T10:12:00+08:00": (2022, 3, 5, 10, 12),
    "2022-03-05T02:12:00Z": (2022, 3, 5, 10, 12),
    "20220305": (2022, 3, 5, 0, 0),
    "3月5日 10:12": (2026, 3, 5, 10, 12),
    "11-28": (2026, 11, 28, 0, 0),
    "昨天 10:12": (2026, 11, 30, 10, 12),
    "今天 09:00": (2026, 12, 1, 9, 0),
    "3小时前": (2026, 12, 1, 12, 30),
    "2天前": (2026, 11, 29, 15, 30),
    "刚刚": (2026, 12, 1, 15, 30),
    "1646446320": (2022, 3, 5, 10, 12),
}


def newsbot(text: str) -> datetime | None:
    """newsbot's normalizer."""
    return parse_date(text, now=NOW)


def dateparser_reader() -> Callable[[str], datetime | None] | None:
    """dateparser.parse with the crawl time and the zone set; None when not installed."""
    try:
        import dateparser
    except ImportError:
        return None
    settings = {"TIMEZONE": "Asia/Shanghai", "RETURN_AS_TIMEZONE_AWARE": True,
                "RELATIVE_BASE": NOW.replace(tzinfo=None), "PREFER_DATES_FROM": "past"}  # fmt: skip
    warnings.filterwarnings("ignore")

    def read(text: str) -> datetime | None:
        return dateparser.parse(text, languages=["zh", "en"], settings=settings)  # type: ignore[arg-type]

    return read


def right(reader: Callable[[str], datetime | None]) -> list[str]:
    """The forms ``reader`` reads wrong."""
    wrong = []
    for text, expected in FORMS.items():
        moment = reader(text)
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=SHANGHAI)
        got = None if moment is None else moment.astimezone(SHANGHAI)
        if got is None or (got.year, got.month, got.day, got.hour, got.minute) != expected:
            wrong.append(text)
    return wrong


def per_call(reader: Callable[[str], datetime | None], calls: int) -> float:
    """Best of three: µs per call over the forms, cycled."""
    texts = list(FORMS) * (calls // len(FORMS) + 1)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts[:calls]:
            reader(text)
        best = min(best, time.perf_counter() - started)
    return 1e6 * best / calls


def main(argv: list[str] | None = None) -> list[tuple[str, str]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    rows = []
    readers = {"newsbot": newsbot, "dateparser": dateparser_reader()}
    print(f"\ndate forms: {len(FORMS)}, {args.calls} calls each, best of three")
    for name, reader in readers.items():
        if reader is None:
            print(f"{name}: not installed (pip install -e '.[bench]')")
            continue
        reader(next(iter(FORMS)))  # warm up (dateparser loads its language data)
        calls = args.calls if name == "newsbot" else max(100, args.calls // 10)
        speed, wrong = per_call(reader, calls), right(reader)
        share = 100 * (len(FORMS) - len(wrong)) / len(FORMS)
        print(f"{name:10} {speed:9.1f} µs/call, right {len(FORMS) - len(wrong)}/{len(FORMS)} "
              f"({share:.0f} %); wrong: {', '.join(wrong) or '-'}")  # fmt: skip
        rows.append((f"dates: {name} µs/call, share right", f"{speed:.1f}, {share:.0f} %"))
    return rows


if __name__ == "__main__":
    for label, value in main():
        print(f"{label:55} {value}")
