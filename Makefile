# The two commands a newcomer needs:  `make run`  and  `make test`.
# The interpreter the venv is made from: Debian's python3.11 where it can make a venv, else
# python3. Debian builds it with profile-guided and link-time optimization, as the image's
# python:3.11-slim is built; pyenv's default build (python3 on these machines) is neither. The
# same code on both, alternating, measured here: 14-29% less CPU per order POST under wrk, and
# at 100 orders/s less in each of four pairs, by less than that figure's own spread
# (docs/benchmarks.md, "Issue 14, nineteenth pass"). PYTHON=python3 to choose.
PYTHON ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null \
	&& echo /usr/bin/python3.11 || echo python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=

.PHONY: run test lint typecheck imports docs bench mutation clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

## Set up and run the whole stack (embedded NATS, three services, gateway) on local defaults.
run: $(STAMP)
	$(BIN)/concierge up

## Set up and run the quality gates and the test suite.
test: $(DEV_STAMP) lint typecheck imports
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy shared services concierge_cli bench

imports: $(DEV_STAMP)
	$(BIN)/lint-imports

docs: $(DEV_STAMP)
	$(BIN)/concierge docs

## Benchmarks (docs/benchmarks.md): wrk drives the HTTP rows. Run on a quiet machine; every row
## says whether it was. BENCH_ARGS="--quick" for a smoke test, "--only http|orders|messaging".
BENCH_ARGS ?=
bench: $(DEV_STAMP)
	@command -v wrk >/dev/null || { echo "make bench needs wrk: sudo apt-get install wrk"; exit 2; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## Mutation testing of every domain module: mutmut + the table harness, a score per module
## (docs/mutation.md). Tens of minutes, so not part of `make test`. Narrow it with
## MODULES="labels policy"; MUTATION_CHILDREN sets mutmut's worker processes.
MODULES ?=
MUTATION_CHILDREN ?= 1
mutation: $(DEV_STAMP)
	$(BIN)/python -m tools.mutation.run --children $(MUTATION_CHILDREN) $(MODULES)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
