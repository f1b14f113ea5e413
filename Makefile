# dlnotes: `make html` builds the book, `make test` runs every test. Each sets itself up on
# first use: a virtualenv in .venv with the pinned torch installed FIRST (so pip never resolves a
# torch of its own choosing), then the package with its book extra and the dev tools
# (requirements/dev.txt), all at the exact versions of requirements/constraints.txt, then the
# npm packages from the committed lock.
#
#   make html            build _build/html/{en,zh} and the landing page
#   make pdf             build _build/pdf/dlnotes-{en,zh}.pdf (XeLaTeX) and publish them in the
#                        site as _build/html/editions/; reads the execution cache that make html
#                        fills (0 notebooks executed after make html; on its own it fills the
#                        cache itself). Needs Debian's TeX Live: it names the packages if missing.
#   make epub            build _build/epub/dlnotes-{en,zh}.epub (EPUB 3) from the same execution
#                        cache (run after `make html` it executes no notebook; before it, it fills
#                        the cache that `make html` then reuses); also copied to _build/html/editions
#   make test            doctests, unit tests, parity, the strict book build, site and browser checks
#   make serve           serve _build/html on http://127.0.0.1:8000 (PORT=...)
#   make clean           remove _build (outputs and the execution cache)
#
# Overridable: TORCH_SPEC (default torch==2.13.0), TORCH_PIP_ARGS (e.g. an --index-url for a
# CUDA build), PYTHON (the interpreter that creates the venv), VENV, PORT.

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=
PORT ?= 8000
SPHINXOPTS ?= -j 2

PY := $(VENV)/bin/python
STAMP := $(VENV)/.dlnotes-installed
CONSTRAINTS := requirements/constraints.txt
NPM_STAMP := node_modules/.dlnotes-installed
SPHINX := $(PY) -m sphinx -b html -c . -n -W --keep-going $(SPHINXOPTS)

.PHONY: html pdf epub test serve clean distclean setup bench

setup: $(STAMP) $(NPM_STAMP)

# The second install names torch again, so pip keeps the one just installed.
$(STAMP): pyproject.toml $(CONSTRAINTS) requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) "$(TORCH_SPEC)" -e ".[book]" -r requirements/dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

html: $(STAMP) $(NPM_STAMP)
	$(SPHINX) -d _build/doctrees/en book/en _build/html/en
	$(SPHINX) -d _build/doctrees/zh -D language=zh_CN book/zh _build/html/zh
	$(PY) tools/finish_site.py

pdf: $(STAMP) $(NPM_STAMP)
	$(PY) tools/build_pdf.py --sphinxopts="$(SPHINXOPTS)"

# Its own doctrees (the epub builder resolves links to .xhtml); the zip is written reproducibly
# by book/_ext/dlnotes_book/epub.py (dates from SOURCE_DATE_EPOCH, else the last commit). The
# output folders start empty: the builder puts every file it finds there into the book.
EPUB_SPHINX := $(PY) -m sphinx -b epub -c . -n -W --keep-going $(SPHINXOPTS)

epub: $(STAMP) $(NPM_STAMP)
	rm -rf _build/epub/en _build/epub/zh
	$(EPUB_SPHINX) -d _build/doctrees-epub/en book/en _build/epub/en
	$(EPUB_SPHINX) -d _build/doctrees-epub/zh -D language=zh_CN book/zh _build/epub/zh
	mkdir -p _build/html/editions
	for l in en zh; do \
	  cp _build/epub/$$l/dlnotes-$$l.epub _build/epub/dlnotes-$$l.epub && \
	  cp _build/epub/$$l/dlnotes-$$l.epub _build/html/editions/dlnotes-$$l.epub || exit 1; \
	done

test: $(STAMP) $(NPM_STAMP)
	$(PY) -m pytest --cov=dlnotes --cov-report=term --cov-fail-under=90

serve:
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

bench: $(STAMP) $(NPM_STAMP)
	$(PY) bench/build.py

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) node_modules
