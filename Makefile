# newsbot: every install step lives here, so a clean clone (CI, a new machine) can run it.
#   make run    set up, then crawl (live when the sites answer, else the offline demo)
#   make test   set up, then lint and run the whole test suite (what .ci/run calls)
#   make typecheck  mypy --strict over newsbot/ (not part of make test yet)
#   make bench  every benchmark against bare Scrapy, one summary table (< 10 min; docs/benchmarks.md)
#   make bench-quick  the same on small sites (< 2 min)
#   make clean  remove the venv and caches; never data/ (the archive)

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup system run demo test lint typecheck schema clean bench bench-quick bench-profile

# The venv is rebuilt when pyproject.toml changes. pip is upgraded first: the old pip of
# Debian 12's Python (23.x) does not normalize extra names, so a package asking for
# lxml[html_clean] (lxml 6 spells it html-clean) silently goes without lxml_html_clean.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the test suite drives for real: Chromium (render feeds; Playwright's own
# browser download cannot work on these machines), redis-server (distributed mode) and
# jekyll (the shipped site, deploy/jekyll-site, built for real by tests/test_site.py).
# Installed when missing and we are root; otherwise the tests that need them skip.
SYSTEM_PACKAGES = chromium redis-server jekyll
system:
	@if command -v chromium >/dev/null && command -v redis-server >/dev/null && command -v jekyll >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	else echo "not root: install $(SYSTEM_PACKAGES) yourself, or their tests skip"; fi

run: setup system
	$(BIN)/newsbot run

demo: setup system
	$(BIN)/newsbot demo

lint: setup
	$(BIN)/ruff check newsbot tests benchmarks
	$(BIN)/ruff format --check newsbot tests benchmarks

# The suite runs on every core (pytest-xdist): most tests wait on servers and crawls in
# subprocesses. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: lint typecheck system
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# Settings in pyproject.toml ([tool.mypy]: strict, files = newsbot).
typecheck: setup
	$(BIN)/mypy

# Regenerate docs/feeds.schema.json after changing the feed models in newsbot/config/.
schema: setup
	$(BIN)/python -c "import json; from newsbot.config import feeds_schema; \
	print(json.dumps(feeds_schema(), ensure_ascii=False, indent=2))" > docs/feeds.schema.json

# Benchmarks are scripts, never timed tests (docs/benchmarks.md). dateparser, the date
# normalizer's comparison, is the `bench` extra.
BENCH_STAMP = $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-quick: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

# cProfile of a 2,000-article crawl, today's code against main's first benchmarked commit.
bench-profile: $(BENCH_STAMP)
	$(BIN)/python benchmarks/profile_crawl.py --articles 2000 --before b194862

# data/ is the user's archive (records, state, run reports, logs): clean never touches it.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -path ./data -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
