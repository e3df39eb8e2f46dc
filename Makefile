# Two entry points: `make build` (set up, build out/A-67-254.html and .pdf) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: build test setup lint clean

build: setup
	$(BIN)/reporter build

test: setup
	sh scripts/system-deps test
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check reporter tests benchmarks && $(BIN)/ruff format --check reporter tests benchmarks && $(BIN)/lint-imports

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	sh scripts/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	touch $@

# .reporter-cache/: where reporter kept its cache before it moved to the user's cache folder
# (docs/durability.md); a build never reads it
clean:
	rm -rf out .reporter-cache
