# Build the book: `make epub pdf`.  Test: `make test`.
# Everything the targets use is installed here (a .venv for Python, tools/ace
# for Node); nothing needs installing by hand.  Targets depend on real files,
# so a second run with nothing changed rebuilds nothing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BOOK ?= book
DIST ?= dist
VENV_STAMP := $(VENV)/.installed
# Ace by DAISY (Node) for `make check` and the tests; puppeteer runs Debian's Chromium, never downloads one.
ACE_STAMP := tools/ace/node_modules/.installed

# The CLI names the output files (publish/text.py's slug of the title, for any title): make only keeps a
# stamp per build, so a second run with nothing changed rebuilds nothing.
BUILD_STAMP := $(DIST)/.stamp-build
SOURCES := $(shell find $(BOOK) styles publish -type f ! -name '*.pyc' ! -path '*/__pycache__/*' 2>/dev/null)

.PHONY: all epub pdf html serve press large-print booklet check release test test-fast lint bench clean distclean

all: epub pdf

$(VENV_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

# Ace by DAISY for `check` and `test`.  Without npm it is left out with a note: the tests that need
# it are skipped (under CI=true they fail, and .ci/run installs Node first); `check` reports v-005.
$(ACE_STAMP): tools/ace/package.json tools/ace/package-lock.json
	@if command -v npm >/dev/null; then \
	  cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
	    npm ci --no-audit --no-fund --loglevel=error && touch $(CURDIR)/$@; \
	else echo "note: npm not found; Ace by DAISY is not installed (install Node.js to run it)"; fi

epub pdf: $(BUILD_STAMP)
press large-print booklet: %: $(DIST)/.stamp-%

# One process builds both from one layout of the PDF (the EPUB page-list needs it).
$(BUILD_STAMP): $(SOURCES) $(VENV_STAMP)
	$(PY) -m publish build $(BOOK) --out-dir $(DIST)
	@touch $@

# The web edition (dist/web/: static HTML, served as it is), offering the EPUB and PDF built first.
WEB_STAMP := $(DIST)/.stamp-web
html: $(WEB_STAMP)
$(WEB_STAMP): $(BUILD_STAMP) $(SOURCES) $(VENV_STAMP)
	$(PY) -m publish html $(BOOK) --out-dir $(DIST)/web --downloads $(DIST)
	@touch $@

# The live preview while writing: http://127.0.0.1:$(PORT)/, refreshed on every save (Ctrl-C stops).
PORT ?= 8000
serve: $(VENV_STAMP)
	$(PY) -m publish serve $(BOOK) --port $(PORT) --downloads $(DIST)

# Print editions, each its own layout (see README, "Print editions"), written to dist/<slug>-<edition>.pdf.
$(DIST)/.stamp-press $(DIST)/.stamp-large-print $(DIST)/.stamp-booklet: $(DIST)/.stamp-%: $(SOURCES) $(VENV_STAMP)
	$(PY) -m publish pdf $(BOOK) --edition $* --out-dir $(DIST)
	@touch $@

# EPUBCheck, Ace and the PDF checks on what the sources make now (rebuilt first when older than a source);
# writes dist/<slug>-accessibility.html; fails on any error.
check: $(BUILD_STAMP) $(VENV_STAMP) $(ACE_STAMP)
	$(PY) -m publish check $(BOOK) --out-dir $(DIST)

# A release: every edition, then the checks in strict mode (any warning, a placeholder, fails it).
release: $(BUILD_STAMP) press large-print booklet $(VENV_STAMP) $(ACE_STAMP)
	$(PY) -m publish check $(BOOK) --out-dir $(DIST) --strict

# Our builds against pandoc on synthetic series of 1, 10 and 50 articles (reports, never fails on time).
# Each command's fastest of BENCH_REPEAT runs, ours and pandoc's alike: one run on a shared machine varies
# by ±20 % and more.  About 3 minutes a repeat.  Then the preview's save-to-page latency (bench/preview.py).
BENCH_REPEAT ?= 3
bench: $(VENV_STAMP)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[bench]'
	BENCH_REPEAT=$(BENCH_REPEAT) $(PY) -m bench
	$(PY) -m bench.preview

lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check publish tests

test: $(VENV_STAMP) $(ACE_STAMP)
	$(VENV)/bin/ruff check publish tests
	$(VENV)/bin/pytest -q

# Unit tests and findings at the loader level: no validators, no subprocess builds (under 90 s on two cores).
test-fast: $(VENV_STAMP)
	$(VENV)/bin/ruff check publish tests
	$(VENV)/bin/pytest -q -m "not slow"

clean:
	rm -rf $(DIST)

distclean: clean
	rm -rf $(VENV) tools/ace/node_modules
