# Two commands for a newcomer: `make run` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEVSTAMP:= $(VENV)/.installed-dev

.PHONY: run test install install-dev bench clean

NODESTAMP := node_modules/.installed

run: $(STAMP) $(NODESTAMP)
	$(BIN)/kuaibao db upgrade
	$(BIN)/kuaibao deploy
	$(BIN)/kuaibao demo
	$(BIN)/kuaibao serve

test: $(DEVSTAMP) $(NODESTAMP)
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

# The web app's libraries (bpmn-js, dmn-js, Chart.js) from the npm registry, exactly as package-lock.json says.
$(NODESTAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the pages will show no diagrams or charts (apt-get install nodejs npm)"; fi

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules build
