# Two commands do everything on a fresh machine with Python >= 3.11 and make:
#   make run   - venv, install, migrate, demo network (if the database is empty), serve GraphiQL
#                with the notification worker beside it (mail lands in var/mail without SMTP)
#   make test  - lint, format check, type check and the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := $(wildcard plugins_contrib/*/pyproject.toml)
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(PLUGINS))
# pytest processes for `make test` (pytest-xdist): one per core by default; 0 runs in this process.
TEST_WORKERS ?= auto

.PHONY: run test lint install install-dev schema clean mutation

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "icn_graph needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml setup.py $(PLUGINS)
	$(BIN)/python -m pip install --quiet -e . $(foreach dir,$(PLUGIN_DIRS),-e $(dir))
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/icn-graph db upgrade
	$(BIN)/icn-graph demo load --if-empty
	ICN_DEMO=$${ICN_DEMO:-true} $(BIN)/icn-graph serve --worker

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

schema: install
	$(BIN)/icn-graph schema export

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache mutants

# Mutation testing of the rules that protect people (docs/operations.md, "Mutation testing"); not part of `make test`.
mutation: install-dev
	$(BIN)/python -m tests.mutation.run
