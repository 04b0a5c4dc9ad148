# The two set-up commands: `make run` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck demo bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/warta run

demo: $(STAMP)
	$(BIN)/warta demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

# The reliability and security proofs (faults, load, fuzzing); their figures go into README.md.
# WARTA_RELIABILITY=quick make reliability: the bounded subset .ci/run uses (README untouched).
.PHONY: reliability
reliability: $(STAMP)
	@mkdir -p var/reliability && rm -f var/reliability/results.jsonl var/reliability/junit.xml
	@mode=$${WARTA_RELIABILITY:-1}; [ "$$mode" = quick ] || mode=1; \
	  echo "reliability: WARTA_RELIABILITY=$$mode"; \
	  WARTA_RELIABILITY=$$mode WARTA_RELIABILITY_RESULTS=var/reliability/results.jsonl \
	    $(BIN)/python -m pytest tests/reliability tests/test_fuzz_*.py tests/test_security_*.py \
	    --junitxml=var/reliability/junit.xml && \
	  WARTA_RELIABILITY=$$mode $(BIN)/python -m tests.reliability.report var/reliability/results.jsonl
