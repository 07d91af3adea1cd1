# Two commands for a newcomer: `make run` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEVSTAMP:= $(VENV)/.installed-dev

.PHONY: run test install install-dev bench clean

run: $(STAMP)
	$(BIN)/kuaibao db upgrade
	$(BIN)/kuaibao deploy
	$(BIN)/kuaibao demo
	$(BIN)/kuaibao serve

test: $(DEVSTAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(DEVSTAMP)
	$(BIN)/python bench/start_claim_complete.py
	$(BIN)/python bench/history_cleanup.py

install: $(STAMP)
install-dev: $(DEVSTAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

clean:
	rm -rf $(VENV) instance .pytest_cache
