"""Article extraction on the project's own corpus (tests/extraction_corpus): newsbot's
generic extractor, newsbot's configured feeds (where a feed in feeds.yaml serves the
case's host: its article rules, the generic extractor filling what they miss),
trafilatura, GNE and magic-html, side by side in one run.

Run: .venv/bin/python benchmarks/extraction.py [CORPUS_DIR] [--templates] [--cases] [--rounds N]

Scores (defined in tests/corpus.py and tests/extraction_corpus/README.md): title exact %,
date exact % (``YYYY-MM-DD HH:MM:SS +0800``), text character-level precision / recall / F1
(multisets of characters, whitespace removed, macro-averaged over cases) and ms/page
(extraction only, after one untimed warm-up call; best of ``--rounds`` runs per page,
default 1: repeated runs of one page can hit a tool's caches); bylines exact: the share of
source / author / editor values equal to the answer, over the fields the tool gives
(newsbot three; trafilatura and GNE the author; magic-html none). Feeds are scored on the cases they
match (their row says how many). trafilatura and GNE come from the ``bench`` extra
(``pip install -e '.[bench]'``); magic-html needs Python >= 3.12 and runs in its own venv,
``.venv-magic`` (``python3.12 -m venv .venv-magic && .venv-magic/bin/pip install
magic-html``) or the interpreter named by ``$MAGIC_HTML_PYTHON``; a tool that cannot run
is listed as skipped, with the reason.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.extraction_tools import (  # noqa: E402
    Extracted,
    Tool,
    feed_tool,
    gne_tool,
    magic_html_tool,
    newsbot_tool,
    trafilatura_tool,
)
from tests.corpus import CORPUS, Case, load_cases, same_title, text_scores  # noqa: E402


@dataclass
class Score:
    """One tool's totals over the cases it ran on."""

    name: str
    cases: int = 0
    titles: int = 0
    dates: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    ms: float = 0.0
    bylines: int = 0
    byline_fields: int = 0
    misses: list[str] = field(default_factory=list)
    #: Per template: pages, titles exact, dates exact, summed F1.
    templates: dict[str, list[float]] = field(default_factory=dict)

    def add(self, case: Case, got: Extracted, ms: float) -> None:
        """Count one case."""
        want = case.expected
        p, r, f = text_scores(got.text, want["text"])
        title_ok, date_ok = same_title(got.title, want["title"]), got.date == want["date"]
        self.cases += 1
        self.titles += title_ok
        self.dates += date_ok
        self.precision, self.recall, self.f1 = self.precision + p, self.recall + r, self.f1 + f
        self.ms += ms
        per = self.templates.setdefault(case.template, [0, 0, 0, 0.0])
        for index, value in enumerate((1, title_ok, date_ok, f)):
            per[index] += value
        for name, value in (got.bylines or {}).items():
            self.byline_fields += 1
            self.bylines += value == want[name]
        if not (title_ok and date_ok and f >= 0.97):
            self.misses.append(
                f"{case.name}: title {'ok' if title_ok else repr(got.title)}, "
                f"date {'ok' if date_ok else repr(got.date)}, F1 {f:.3f} (P {p:.3f} R {r:.3f})"
            )

    def row(self) -> str:
        """One Markdown table row."""
        n = self.cases or 1
        return (
            f"| {self.name} | {self.cases} | {100 * self.titles / n:.1f} % | "
            f"{100 * self.dates / n:.1f} % | {self.precision / n:.3f} | {self.recall / n:.3f} | "
            f"{self.f1 / n:.3f} | {self._bylines()} | {self.ms / n:.2f} |"
        )

    def _bylines(self) -> str:
        if not self.byline_fields:
            return "—"
        fields = self.byline_fields // (self.cases or 1)
        return f"{100 * self.bylines / self.byline_fields:.1f} % ({fields})"


def template_table(scores: list[Score]) -> list[str]:
    """Markdown rows: per template, each tool's title % / date % / text F1."""
    names = sorted({name for result in scores for name in result.templates})
    rows = [
        "| template | " + " | ".join(result.name for result in scores) + " |",
        "|---|" + "---|" * len(scores),
    ]
    for name in names:
        cells = []
        for result in scores:
            n, titles, dates, f1 = result.templates.get(name, [0, 0, 0, 0.0])
            cells.append(
                f"{100 * titles / n:.0f} / {100 * dates / n:.0f} / {f1 / n:.2f}" if n else "—"
            )
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return rows


def timed(run: Callable[[Case], Extracted], case: Case, rounds: int) -> tuple[Extracted, float]:
    """The extraction of one case and its best time in ms over ``rounds`` runs."""
    best, got = float("inf"), Extracted()
    for _ in range(rounds):
        start = time.perf_counter()
        got = run(case)
        best = min(best, (time.perf_counter() - start) * 1000)
    return got, best


def score(tool: Tool, cases: list[Case], rounds: int) -> Score:
    """Run one tool over the cases it applies to."""
    result = Score(tool.name)
    if tool.precomputed is None and cases:
        tool.run(cases[0])  # warm-up (imports, compiled patterns), not timed
    for case in cases:
        if tool.applies is not None and not tool.applies(case):
            continue
        if tool.precomputed is not None:
            got, ms = tool.precomputed[case.name]
        else:
            got, ms = timed(tool.run, case, rounds)
        result.add(case, got, ms)
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table (and each tool's misses with ``--cases``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--cases", action="store_true", help="list every tool's misses")
    parser.add_argument(
        "--templates", action="store_true", help="per template: title % / date % / text F1"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="timed runs per page, best kept (repeats can hit a tool's caches)",
    )
    args = parser.parse_args(argv)
    cases = load_cases(args.corpus)
    templates = sorted({case.template for case in cases})
    print(f"corpus: {args.corpus} — {len(cases)} pages, {len(templates)} templates")
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.platform()} · Python "
        f"{platform.python_version()} · {os.cpu_count()} CPUs · {args.rounds} timed run(s) a page"
    )
    makers = [newsbot_tool, feed_tool, trafilatura_tool, gne_tool, magic_html_tool]
    tools, skipped = [], []
    for make in makers:
        made = make(cases, args.rounds)
        (tools if isinstance(made, Tool) else skipped).append(made)
    print(
        "\n| tool | pages | title exact | date exact | text P | text R | text F1 "
        "| bylines exact (fields) | ms/page |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    scores = [score(tool, cases, args.rounds) for tool in tools]
    for result in scores:
        print(result.row())
    for reason in skipped:
        print(f"\nskipped: {reason}")
    if args.templates:
        print("\nPer template (title exact % / date exact % / text F1):\n")
        print("\n".join(template_table(scores)))
    if args.cases:
        for result in scores:
            print(f"\n{result.name}: {len(result.misses)} case(s) below title/date exact, F1 0.97")
            for line in result.misses:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
