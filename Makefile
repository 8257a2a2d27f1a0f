# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN      = $(VENV)/bin
export INDGRAPH_HOME ?= $(CURDIR)/.indgraph

.PHONY: demo test test-fast install lint format bench bench-short stop clean system-deps

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(BIN)/.installed

# Neo4j's own Cypher front end, used by the tests to check every statement sent to Neo4j.
tests/support/cypher_lint/node_modules/.installed: tests/support/cypher_lint/package-lock.json
	npm ci --prefix tests/support/cypher_lint --no-audit --no-fund --loglevel=error
	touch $@

# Chromium (browser test of the HTML view) and a CJK font (Chinese labels in PNG/SVG), from Debian.
# Installed when running as root with apt-get; otherwise the tests that need them skip and say why.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'cjk\|wqy'; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "note: could not install chromium/fonts-noto-cjk; the browser and CJK tests will skip"; \
	  fi; \
	else echo "note: not root: install 'chromium' and 'fonts-noto-cjk' yourself for the browser and CJK tests"; fi

demo: install
	$(BIN)/indgraph load
	$(BIN)/indgraph stats
	$(BIN)/indgraph run chain_around --param sector=sector:battery-cells
	$(BIN)/indgraph run base_profile --param base=base:national-cybersecurity-base
	$(BIN)/indgraph run partners --param entity=base:national-cybersecurity-base

# Every test and the doctests of every module: the fast tier (no server) and the store tier.
test: install tests/support/cypher_lint/node_modules/.installed system-deps
	$(BIN)/pytest -q

# The fast tier alone: model, loaders, networkx analyses, viz files; no database server.
test-fast: install
	$(BIN)/pytest -q -m "not store"

lint: install
	$(BIN)/ruff check graph loaders tests bench
	$(BIN)/ruff format --check graph loaders tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format graph loaders tests bench
	$(BIN)/ruff check --fix graph loaders tests bench

bench-short: install
	$(BIN)/python bench/run_all.py --short

bench: install
	$(BIN)/python bench/run_all.py

stop:
	-$(BIN)/indgraph db stop

clean: stop
	rm -rf $(VENV) .indgraph tests/support/cypher_lint/node_modules .pytest_cache .hypothesis
