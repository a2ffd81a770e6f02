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

.PHONY: setup system-packages venv demo test bench lint clean

system-packages:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

venv: $(VENV)/.installed

setup: system-packages venv

demo: setup
	$(VENV)/bin/inspect-flow demo --round 2019 --through closed
	$(VENV)/bin/inspect-flow demo --round 2026 --through closed
	$(VENV)/bin/inspect-flow serve

test: setup
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	$(PY) benchmarks/workflow_bench.py
	$(PY) benchmarks/checklist_bench.py
	$(PY) benchmarks/documents_bench.py
	$(PY) benchmarks/units_bench.py
	$(PY) benchmarks/search_bench.py

lint: venv
	$(VENV)/bin/ruff check inspect_flow tests benchmarks

clean:
	rm -rf $(VENV) instance .pytest_cache
