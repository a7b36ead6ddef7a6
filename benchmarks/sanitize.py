"""How long the cleaning steps take on the seed bodies (000, 001): ``sanitize_html`` alone
and the whole clean step (sanitize → strip boilerplate → plain-text lines).

Run: .venv/bin/python benchmarks/sanitize.py [ROUNDS] [OLD_SANITIZE.py]

With a second argument (a former ``sanitize.py``, e.g. ``git show REV:newsbot/core/clean/
sanitize.py > /tmp/old_sanitize.py``) its ``sanitize_html`` is timed in the same run, so the
two are compared on equal terms on a shared machine.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path

from newsbot.core.clean import html_to_lines, sanitize_html, strip_boilerplate

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://finance.eastmoney.com/a/202201122278431560.html"


def seed_body(prefix: str) -> str:
    """A seed post's body HTML (as tests/conftest.py seed_post reads it)."""
    text = next((ROOT / "tests" / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    return text.split("---\n", 2)[2].split("\n\n<http", 1)[0]


Sanitize = Callable[..., str]


def clean_step(body: str, sanitize: Sanitize = sanitize_html) -> list[str]:
    """What CleanPipeline does to a body."""
    return html_to_lines(strip_boilerplate(sanitize(body, base_url=BASE), title="标题"))


def load_sanitize(path: str) -> Sanitize:
    """``sanitize_html`` from another copy of the sanitize module."""
    spec = importlib.util.spec_from_file_location("old_sanitize", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    function: Sanitize = module.sanitize_html
    return function


def best_ms(work: Callable[[], object], rounds: int) -> float:
    """Best of five: milliseconds per call over ``rounds`` calls."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds):
            work()
        times.append((time.perf_counter() - started) / rounds * 1e3)
    return min(times)


def main() -> None:
    """Print ms per body for each seed and step."""
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    versions = {"now": sanitize_html}
    if len(sys.argv) > 2:
        versions["old"] = load_sanitize(sys.argv[2])
    for prefix in ("000", "001"):
        body = seed_body(prefix)
        for name, sanitize in versions.items():
            alone = best_ms(lambda body=body, f=sanitize: f(body, base_url=BASE), rounds)
            whole = best_ms(lambda body=body, f=sanitize: clean_step(body, f), rounds)
            print(
                f"seed {prefix} ({len(body.encode())} bytes), {name}: "
                f"sanitize_html {alone:.3f} ms, clean step {whole:.3f} ms"
            )


if __name__ == "__main__":
    main()
