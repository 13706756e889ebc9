# The one entry point for chores. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Our machines and CI keep the data beside the project; a value you export wins.
export TWEETNER_DATA_DIR ?= $(abspath $(wildcard ../shared/data))

.PHONY: help env test test-fast lint format parameters reports quick clean

help: ## List the targets
	@grep -E '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 11) else f"tweetner needs Python 3.11, found {sys.version.split()[0]}; set PYTHON=/path/to/python3.11")'
	@echo "==> creating or refreshing $(VENV) from pyproject.toml (first time: a few minutes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[reports,dask,dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name tweetner --display-name "Python (tweetner)" >/dev/null
	@touch $(STAMP)

env: $(STAMP) ## Create or refresh the project environment (.venv)

lint: env ## Layers contract, ruff (package, tests, notebooks), format check, type check
	$(BIN)/lint-imports --cache-dir .import_linter_cache
	$(BIN)/ruff check --no-cache --output-format concise .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy

format: env ## Format the code and notebooks in place (what `make lint` checks)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

parameters: env ## Regenerate each notebook's parameters cell from its config class
	$(BIN)/python -m tweetner_utils.pipeline.parameters

test: lint ## Lint, then run the whole test suite (real-data tests run when the data is found)
	$(BIN)/python -m pytest

test-fast: env ## The tests without the slow and timing tiers (notebooks, MiniLM, real data, signals): under a minute
	$(BIN)/python -m pytest -m "not slow and not timing"

reports: env ## Regenerate every report into reports/
	$(BIN)/python run_all.py

quick: env ## Run every notebook on the synthetic corpus (seconds)
	$(BIN)/python run_all.py --quick

environment.yml: pyproject.toml | $(STAMP) ## Regenerate environment.yml from the pins in pyproject.toml
	$(BIN)/python -m tweetner_utils.environment_file > environment.yml.tmp && mv environment.yml.tmp environment.yml

clean: ## Remove the environment and caches (not reports)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache *.egg-info
