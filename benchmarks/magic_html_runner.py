"""Run magic-html over pages given as JSON on stdin (``[{"name", "url", "html"}]``) and
print ``[{"name", "title", "html", "ms"}]`` (best of N runs, N = argv[1]); the version on
stderr. Run by benchmarks/extraction.py in magic-html's own Python >= 3.12 venv."""

import json
import sys
import time
from importlib.metadata import version

from magic_html import GeneralExtractor


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    extractor = GeneralExtractor()
    out = []
    pages = json.load(sys.stdin)
    if pages:
        extractor.extract(pages[0]["html"], base_url=pages[0]["url"])  # warm-up, not timed
    for page in pages:
        best, got = float("inf"), {}
        for _ in range(rounds):
            start = time.perf_counter()
            got = extractor.extract(page["html"], base_url=page["url"])
            best = min(best, (time.perf_counter() - start) * 1000)
        title, html = got.get("title"), got.get("html")
        out.append({"name": page["name"], "title": title, "html": html, "ms": best})
    json.dump(out, sys.stdout, ensure_ascii=False)
    print(version("magic-html"), file=sys.stderr)


if __name__ == "__main__":
    main()
