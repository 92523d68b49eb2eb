# Two commands on a fresh Debian machine with Python 3.11:
#   make run   - create .venv, install, start the app on the shipped cache
#   make test  - create/update .venv with the test tools, run the whole test suite
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast demo-cache real-cache check refresh bench load serve screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

# Prepares the data version, the overview and the talk's first slides, then serves; the other pages
# are prepared in the background (nyap run, nyap/ui/launch.py). ADDRESS=0.0.0.0 serves the room's network.
run: $(VENV)/.runtime-installed
	$(BIN)/python -m nyap run --address $(ADDRESS) --port $(PORT)

# The whole suite on both cores (pytest-xdist); a build that several tests read (every report) is
# made once per run and shared by the workers (tests/test_report.py).
TEST_WORKERS ?= 2
test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist load --durations=15

# The inner loop: everything but browsers, served apps, subprocess commands and whole-data builds.
test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist load -m "not slow" --durations=5

# Rebuild the shipped demonstration cache (deterministic).
demo-cache: $(VENV)/.runtime-installed
	$(BIN)/python -m nyap demo-cache

# Rebuild the shipped default cache from the real Kolada extract (August 2024) through the
# project's own refresh path, replayed on 127.0.0.1 (no internet needed).
real-cache: $(VENV)/.runtime-installed
	$(BIN)/python scripts/build_real_cache.py

# Validate goals.toml and the cache, print a summary.
check: $(VENV)/.runtime-installed
	$(BIN)/python -m nyap check

# Fetch fresh numbers from Kolada (needs internet). KOLADA_BASE_URL overrides the API address.
refresh: $(VENV)/.runtime-installed
	$(BIN)/python -m nyap refresh $(if $(KOLADA_BASE_URL),--base-url $(KOLADA_BASE_URL),)

# Timings (medians, ratios against a baseline in the same run) and screenshots of every page.
bench: $(VENV)/.dev-installed
	$(BIN)/python scripts/benchmark.py

# Many users at once: websocket sessions against the app and a bare page (the floor), same run.
load: $(VENV)/.dev-installed
	$(BIN)/python scripts/load.py

# Several replicas behind nginx (apt-get install nginx): REPLICAS=2 PORT=8080
serve: $(VENV)/.runtime-installed
	$(BIN)/python -m nyap serve --replicas $(or $(REPLICAS),2) --port $(or $(SERVE_PORT),8080) --address $(ADDRESS)

screenshots: $(VENV)/.dev-installed
	$(BIN)/python scripts/screenshots.py --out screenshots

clean:
	rm -rf $(VENV)
