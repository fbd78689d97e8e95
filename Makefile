# Two entry points for a fresh machine: `make reproduce` and `make test`.
# Each creates .venv when missing and installs the project into it first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_RUN  := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: reproduce test test-all docs bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

# Always works whatever ran before: resumes an interrupted default run (re-verifying every
# saved point), and if results/fig1 holds fig1 results of another configuration it leaves them
# alone and writes into results/fig1-2 (-3, ...) instead, saying so on stderr.
reproduce: $(STAMP_RUN)
	$(VENV)/bin/sepgap fig1 --out results/fig1 --resume --sibling-if-taken

test: $(STAMP_TEST)
	$(PY) -m pytest -q

test-all: $(STAMP_TEST)
	$(PY) -m pytest -q -m ''

# The documentation site (mkdocs.yml, docs/) into site/, strict: a warning is an error.
# The test extra includes the docs extra, so one stamp covers both.
docs: $(STAMP_TEST)
	$(VENV)/bin/mkdocs build --strict --site-dir site

bench: $(STAMP_TEST)
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) results .pytest_cache site .cache
