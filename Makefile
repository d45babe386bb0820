# The one entry point for people and CI. `make demo` and `make test` work as
# the first command on a fresh clone: they create .venv and install into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help setup demo test lint format install bench docs pictures messages clean

help:
	@echo "make demo     set up .venv and run the seed example"
	@echo "make test     set up .venv and run the whole test suite"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make install  pip install . into the active Python (with pipx where PEP 668 forbids)"
	@echo "make bench    benchmarks, as ratios against baselines run beside them"
	@echo "make docs     build the manual into site/ (strict) and the man pages into build/man/"
	@echo "make pictures redraw the manual's pictures under docs/ from their commands"
	@echo "make messages extract the messages into gradcli/locale/gradcli.pot and update each .po"

# reinstall whenever the project's metadata changes
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,plot,docs]'
	@# KaTeX, which the tests render every LaTeX output with (skipped without npm)
	if command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/katex katex@0.16; fi
	@# byte code now, so that start-up is not spent recompiling gradcli even
	@# where PYTHONDONTWRITEBYTECODE is set (pip does this for normal installs)
	$(BIN)/python -m compileall -q gradcli
	touch $(STAMP)

# the message catalogues, compiled for gettext (pip does this too, in setup.py,
# for every build; here again whenever a translation changes)
LOCALE    := gradcli/locale
COMPILED  := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/gradcli.po))

$(LOCALE)/%/LC_MESSAGES/gradcli.mo: $(LOCALE)/%/LC_MESSAGES/gradcli.po $(STAMP)
	$(BIN)/pybabel -q compile -D gradcli -d $(LOCALE) -l $*

setup: $(STAMP) $(COMPILED)

# for translators: the template from the code, then each language's catalogue
# updated from it (new messages appear untranslated; a test lists them)
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output \
	  --project gradcli --copyright-holder "The gradcli developers" \
	  -o $(LOCALE)/gradcli.pot .
	$(BIN)/pybabel -q update -D gradcli -i $(LOCALE)/gradcli.pot -d $(LOCALE) \
	  --no-fuzzy-matching --ignore-obsolete

demo: $(STAMP) $(COMPILED)
	$(BIN)/gradcli grad "x**2+y**2+x*y" --at 1,3

test: $(STAMP) $(COMPILED)
	$(BIN)/python -m pytest --durations=15

lint: $(STAMP)
	$(BIN)/ruff check gradcli tests bench
	$(BIN)/ruff format --check gradcli tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format gradcli tests bench
	$(BIN)/ruff check --fix gradcli tests bench

# A distribution's own Python is "externally managed" (PEP 668): pip refuses to
# install into it outside a virtual environment, as pip itself decides (a
# virtual environment is never managed; else the EXTERNALLY-MANAGED marker).
# There gradcli goes in with pipx, or we say how; never --break-system-packages.
MANAGED := import os, sys, sysconfig; \
  venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix); \
  marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED"); \
  sys.exit(0 if not venv and os.path.isfile(marker) else 1)

install:
	@if ! $(PYTHON) -c '$(MANAGED)'; then \
	  echo "$(PYTHON) -m pip install ."; $(PYTHON) -m pip install .; \
	elif command -v pipx >/dev/null; then \
	  echo "$(PYTHON) is externally managed (PEP 668): installing with pipx"; \
	  echo "pipx install --force ."; pipx install --force .; \
	else \
	  echo "make install: $(PYTHON) is managed by your distribution (PEP 668) and refuses" >&2; \
	  echo "  pip install outside a virtual environment. Either install pipx (apt install" >&2; \
	  echo "  pipx, brew install pipx) and run: pipx install .   or activate a virtual" >&2; \
	  echo "  environment (python3 -m venv ~/.venvs/gradcli && . ~/.venvs/gradcli/bin/activate)" >&2; \
	  echo "  and run make install again." >&2; \
	  exit 2; \
	fi

bench: $(STAMP)
	$(BIN)/python -m compileall -q gradcli
	$(BIN)/python bench/run.py

# the manual: every warning is an error (a broken link, a page not in the nav,
# a command whose reference cannot be generated); then the man pages
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site
	$(BIN)/python docs/make_man.py build/man

# the pictures are committed; redraw them when what they show changes
pictures: $(STAMP)
	$(BIN)/python docs/make_pictures.py

clean:
	rm -rf $(VENV) build dist site *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
