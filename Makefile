# Two commands for a fresh machine (see README):
#   make demo   set everything up, build the demo archive and site from recorded data, serve it
#   make test   run the whole test suite (installs Chromium for the browser tests if missing)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: setup demo demo-build test browser clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

demo-build: setup
	$(BIN)/python -m demo.build --out demo/build

demo: demo-build
	@echo "Demo archive in demo/build/docs. Serving http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory demo/build/docs $(PORT)

browser:
	@sh scripts/install-chromium.sh

test: setup browser
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) demo/build site .pytest_cache
