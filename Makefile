# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PyTorch first, pinned: this version's CPU wheel is on the machine; any other spec pulls CUDA.
TORCH := torch==2.13.0

.PHONY: demo test test-integration label-studio results clean

$(BIN)/stance: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[test,ray]'
	touch $@

demo: $(BIN)/stance
	$(BIN)/stance label examples/ --targets examples/targets.list -o out/examples.jsonl --overwrite
	$(BIN)/stance show out/examples.jsonl
	@echo
	@echo "Full records (offsets, cues, sources, targets, stance scores): out/examples.jsonl"

test: $(BIN)/stance
	$(BIN)/ruff check stance tests scripts
	$(BIN)/python -m pytest -q

# Label Studio, for the integration test only, in a virtual environment of its own so that its
# many pins never touch .venv. $$STANCE_LABEL_STUDIO may name another label-studio instead.
LABEL_STUDIO_VERSION := 1.23.2
LS_VENV := .venv-ls

$(LS_VENV)/installed-$(LABEL_STUDIO_VERSION):
	test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install -q label-studio==$(LABEL_STUDIO_VERSION)
	touch $@

label-studio: $(LS_VENV)/installed-$(LABEL_STUDIO_VERSION)

# Starts a Label Studio server on 127.0.0.1 and round-trips the examples' gold through its API.
test-integration: $(BIN)/stance $(if $(STANCE_LABEL_STUDIO),,$(LS_VENV)/installed-$(LABEL_STUDIO_VERSION))
	$(BIN)/python -m pytest -q -m integration

# Regenerates eval/RESULTS.md from the annotated sets in $$STANCE_DATA (default ../shared/data).
results: $(BIN)/stance
	$(BIN)/python scripts/results.py

clean:
	rm -rf $(VENV) out
