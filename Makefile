# Two commands for a fresh machine (see README):
#   make demo   set everything up, build the demo archive and site from recorded data, serve it
#   make test   lint, then run the whole test suite (installs Chromium, Java and the npm test tools if missing)
# While editing: make test-fast (no browser, no site build) and make lint.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

# MkDocs and Material print notices about MkDocs' future on every build;
# they are not warnings about this site (`mkdocs build --strict` passes): keep logs readable.
export DISABLE_MKDOCS_2_WARNING := true
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup demo demo-build site serve lint test test-fast browser java npm-tools bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .  # the site's MkDocs plugin is this project's entry point
	touch $@

# The demo archive (recorded arXiv data, real generator) and its site, outside docs/.
demo-build: setup
	$(BIN)/python -m demo.build --out demo/build
	ARCHIVE_DOCS=demo/build/docs ARCHIVE_CONFIG=demo/config.yml $(BIN)/mkdocs build --strict --site-dir demo/build/site

demo: demo-build
	@echo "Demo site built in demo/build/site."
	$(BIN)/python -m demo.serve --directory demo/build/site --port $(PORT)

# The real archive in docs/ (what GitHub Pages publishes), and its live preview.
site: setup
	$(BIN)/mkdocs build --strict

serve: setup
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT)

browser:
	@sh scripts/install-chromium.sh

# Java for the Nu HTML Checker (npm vnu-jar) that validates every page kind.
java:
	@sh scripts/install-java.sh

# axe-core, terser, Lighthouse and the Nu HTML Checker for the tests, from npm (tests/npm/package-lock.json).
npm-tools:
	@sh scripts/install-npm-tools.sh

# ruff (pinned in requirements.txt; rules and line length in pyproject.toml): findings, then formatting.
lint: setup
	$(BIN)/python -m ruff check
	$(BIN)/python -m ruff format --check

test: setup lint browser java npm-tools
	$(BIN)/python -m pytest

# The edit-test loop: every test not marked `slow` (no browser, no `mkdocs build`, no SIGKILL or
# subprocess-heavy test; tests/conftest.py and the modules' pytestmark say which are slow).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow" -q

bench: setup
	$(BIN)/python -m benchmarks.site_build --papers 1000 10000

clean:
	rm -rf $(VENV) demo/build site benchmarks/out tests/artifacts tests/npm/node_modules .pytest_cache
