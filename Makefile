# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PyTorch first, pinned: this version's CPU wheel is on the machine; any other spec pulls CUDA.
TORCH := torch==2.13.0

.PHONY: demo test results clean

$(BIN)/stance: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: $(BIN)/stance
	$(BIN)/stance label examples/ --targets examples/targets.list -o out/examples.jsonl --overwrite
	$(BIN)/stance show out/examples.jsonl
	@echo
	@echo "Full records (offsets, cues, sources, targets, stance scores): out/examples.jsonl"

test: $(BIN)/stance
	$(BIN)/ruff check stance tests scripts
	$(BIN)/python -m pytest -q

# Regenerates eval/RESULTS.md from the annotated sets in $$STANCE_DATA (default ../shared/data).
results: $(BIN)/stance
	$(BIN)/python scripts/results.py

clean:
	rm -rf $(VENV) out
