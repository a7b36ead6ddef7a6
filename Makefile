# newsbot: every install step lives here, so a clean clone (CI, a new machine) can run it.
#   make run    set up, then crawl (live when the sites answer, else the offline demo)
#   make test   set up, then lint and run the whole test suite (what .ci/run calls)

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup system run demo test lint schema clean

# The venv is rebuilt when pyproject.toml changes. pip is upgraded first: the old pip
# of these machines drops lxml's html-clean extra (see ../shared/machine.md).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the test suite drives for real: Chromium (render feeds; Playwright's own
# browser download cannot work on these machines) and redis-server (distributed mode).
# Installed when missing and we are root; otherwise the tests that need them skip.
SYSTEM_PACKAGES = chromium redis-server
system:
	@if command -v chromium >/dev/null && command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES); \
	else echo "not root: install $(SYSTEM_PACKAGES) yourself, or their tests skip"; fi

run: setup system
	$(BIN)/newsbot run

demo: setup system
	$(BIN)/newsbot demo

lint: setup
	$(BIN)/ruff check newsbot tests
	$(BIN)/ruff format --check newsbot tests

test: lint system
	$(BIN)/python -m pytest -q

# Regenerate docs/feeds.schema.json after changing newsbot/config/models.py.
schema: setup
	$(BIN)/python -c "import json; from newsbot.config import feeds_schema; \
	print(json.dumps(feeds_schema(), ensure_ascii=False, indent=2))" > docs/feeds.schema.json

clean:
	rm -rf $(VENV) data .pytest_cache
