# inspect_flow: two commands do all the setup on a fresh Debian machine.
#   make demo   sets everything up and serves both demo rounds (2019 Bến Tre; 2026 Vĩnh Long, demo data)
#   make test   sets everything up and runs the whole test suite (SQLite and PostgreSQL)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 poppler-utils chromium \
	libreoffice-writer-nogui
PYTHON ?= python3
# pytest-xdist workers for make test: one per core (TEST_WORKERS=0 runs the suite in one process)
TEST_WORKERS ?= auto
# Another apt (unattended-upgrades on a fresh machine) may hold the dpkg lock: wait for it, up to 10 minutes.
# (DPkg::Lock::Timeout covers dpkg's locks; `apt-get update`'s lists lock is waited for by the loop below.)
APT_WAIT := -o DPkg::Lock::Timeout=600
# `make setup` puts the command on PATH as the README writes it (a link, when /usr/local/bin is writable).
BIN_DIR ?= /usr/local/bin

.PHONY: setup system-packages venv path demo test bench lint clean

system-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  for i in $$(seq 60); do \
	    out=$$(apt-get $(APT_WAIT) update -qq 2>&1) && break; \
	    if ! echo "$$out" | grep -q 'Could not get lock' || [ $$i = 60 ]; then echo "$$out"; exit 1; fi; \
	    echo "Another apt holds the package lists' lock: waiting ($$i/60)"; sleep 10; \
	  done; \
	  DEBIAN_FRONTEND=noninteractive apt-get $(APT_WAIT) install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# `inspect-flow` on PATH: a link to the virtualenv's script, unless another inspect-flow is already there.
path: venv
	@target="$(abspath $(VENV))/bin/inspect-flow"; link="$(BIN_DIR)/inspect-flow"; \
	if [ "$$(readlink -f "$$link" 2>/dev/null)" = "$$(readlink -f "$$target")" ]; then :; \
	elif [ -e "$$link" ] && [ ! -L "$$link" ]; then echo "$$link exists and is not a link: left alone; use $$target"; \
	elif [ -w "$(BIN_DIR)" ]; then ln -sfn "$$target" "$$link" && echo "inspect-flow is on PATH: $$link -> $$target"; \
	else echo "$(BIN_DIR) is not writable: use $$target (or add $(abspath $(VENV))/bin to PATH)"; fi

setup: system-packages venv path

demo: setup
	$(VENV)/bin/inspect-flow demo --round 2019 --through closed
	$(VENV)/bin/inspect-flow demo --round 2026 --through closed
	$(VENV)/bin/inspect-flow serve

test: setup
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/workflow_bench.py
	$(PY) benchmarks/checklist_bench.py
	$(PY) benchmarks/documents_bench.py
	$(PY) benchmarks/units_bench.py
	$(PY) benchmarks/search_bench.py
	$(PY) benchmarks/dashboard_bench.py --scale 0.1

lint: venv
	$(VENV)/bin/ruff check inspect_flow tests benchmarks

clean:
	rm -rf $(VENV) instance .pytest_cache
