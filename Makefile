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

# The output name: the book title as an ASCII slug, cut to 80 characters as publish/text.py does
# (the CLI writes where we say).
SLUG := $(shell sed -n 's/^title:[[:space:]]*//p' $(BOOK)/book.yaml 2>/dev/null | head -n 1 | tr -d "\"'" \
          | iconv -f utf-8 -t ascii//TRANSLIT 2>/dev/null | tr 'A-Z' 'a-z' \
          | sed -e 's/[^a-z0-9][^a-z0-9]*/-/g' -e 's/^-//' -e 's/-$$//' | cut -c1-80 | sed -e 's/-$$//')
SLUG := $(or $(SLUG),book)
EPUB := $(DIST)/$(SLUG).epub
PDF := $(DIST)/$(SLUG).pdf
PRESS := $(DIST)/$(SLUG)-press.pdf
LARGE_PRINT := $(DIST)/$(SLUG)-large-print.pdf
BOOKLET := $(DIST)/$(SLUG)-booklet.pdf

SOURCES := $(shell find $(BOOK) styles publish -type f ! -name '*.pyc' ! -path '*/__pycache__/*' 2>/dev/null)

.PHONY: all epub pdf press large-print booklet check test test-fast lint bench clean distclean

all: epub pdf

$(VENV_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# Ace by DAISY for `check` and `test`.  Without npm it is left out with a note: the tests that need
# it are skipped (under CI=true they fail, and .ci/run installs Node first); `check` reports v-005.
$(ACE_STAMP): tools/ace/package.json tools/ace/package-lock.json
	@if command -v npm >/dev/null; then \
	  cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
	    npm ci --no-audit --no-fund --loglevel=error && touch $(CURDIR)/$@; \
	else echo "note: npm not found; Ace by DAISY is not installed (install Node.js to run it)"; fi

epub: $(EPUB)
pdf: $(PDF)
press: $(PRESS)
large-print: $(LARGE_PRINT)
booklet: $(BOOKLET)

# Print editions, each its own layout (see README, "Print editions").
$(PRESS) $(LARGE_PRINT) $(BOOKLET): $(DIST)/$(SLUG)-%.pdf: $(SOURCES) $(VENV_STAMP)
	$(PY) -m publish pdf $(BOOK) --edition $* -o $@

# One process builds both from one layout of the PDF (the EPUB page-list needs it).
$(EPUB) $(PDF) &: $(SOURCES) $(VENV_STAMP)
	$(PY) -m publish build $(BOOK) --epub $(EPUB) --pdf $(PDF)

# EPUBCheck, Ace and the PDF checks on dist/; writes dist/<slug>-accessibility.html; fails on any error.
check: $(EPUB) $(PDF) $(VENV_STAMP) $(ACE_STAMP)
	$(PY) -m publish check $(BOOK) --out-dir $(DIST)

# Our builds against pandoc on synthetic series of 1, 10 and 50 articles (reports, never fails on time).
# Each command's fastest of BENCH_REPEAT runs, ours and pandoc's alike: one run on a shared machine varies
# by ±20 % and more.  About 3 minutes a repeat.
BENCH_REPEAT ?= 3
bench: $(VENV_STAMP)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[bench]'
	BENCH_REPEAT=$(BENCH_REPEAT) $(PY) -m bench

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
