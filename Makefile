# The one entry point for people and CI. `make demo` and `make test` work as
# the first command on a fresh clone: they create .venv and install into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help setup demo test lint format install bench docs clean

help:
	@echo "make demo     set up .venv and run the seed example"
	@echo "make test     set up .venv and run the whole test suite"
	@echo "make lint     ruff check, ruff format --check, mypy"
	@echo "make install  install gradcli into the active Python environment"
	@echo "make bench    benchmarks, as ratios against baselines run beside them"
	@echo "make docs     regenerate the pictures under docs/"

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

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/gradcli grad "x**2+y**2+x*y" --at 1,3

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check gradcli tests bench
	$(BIN)/ruff format --check gradcli tests bench
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format gradcli tests bench
	$(BIN)/ruff check --fix gradcli tests bench

install:
	$(PYTHON) -m pip install .

bench: $(STAMP)
	$(BIN)/python -m compileall -q gradcli
	$(BIN)/python bench/run.py

docs: $(STAMP)
	$(BIN)/python docs/make_pictures.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
