# ShopPulse Analytics infrastructure: the two commands a new user needs are `make local` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-stamp
COLLECTION_LINK := .ansible/collections/ansible_collections/shoppulse/analytics
ENV ?= local
export PYTHONPATH := $(CURDIR)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Python keeps the bytecode of what it imports, once, under the venv: where the environment says not to write any
# (PYTHONDONTWRITEBYTECODE), every process of a run would compile every module it imports again (pytest took 520-538 s
# that way on this machine, 494 s without). The checkout's own folders stay free of __pycache__.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache

.PHONY: help venv collection system-deps local local-up local-down outputs psql test lint sanity unit molecule lock fidelity-doc parameters variables-doc bench cost prices cost-doc

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# uv installs the pinned requirements into the venv pip made: the ansible package alone is tens of thousands of files,
# which pip unpacked in 14 s where uv takes 1-3 s (its cache warm or not), and every `make test` of a new clone starts
# with this step on one core. Like pip with --no-compile, uv compiles nothing: Python compiles, once, only what is
# imported. uv reads PyPI unless told otherwise (UV_INDEX_URL, UV_FIND_LINKS; it does not read pip's configuration).
UV_VERSION := 0.13.9
$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt
	touch $@

venv: $(STAMP) collection ## Build .venv from requirements.txt (no-op when current)

collection: $(COLLECTION_LINK) ## Link the checkout as shoppulse.analytics for ansible

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

system-deps: ## Install PostgreSQL 15 and openssl with apt-get when missing (needs root)
	@if $(BIN)/python -c 'from localenv.services import pg_bindir; pg_bindir()' 2>/dev/null && command -v openssl >/dev/null; then \
	  echo "system packages present (postgresql-15, openssl)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 openssl; \
	else \
	  echo "error: PostgreSQL 15 server binaries or openssl missing: install the Debian packages postgresql-15 and openssl" >&2; exit 1; \
	fi

local-up: venv system-deps ## Start the emulator and PostgreSQL if they are not up
	$(BIN)/python -m localenv up

local: local-up ## Build the whole platform on the local emulator and print its outputs
	$(BIN)/ansible-playbook -i inventories/local site.yml
	@$(MAKE) --no-print-directory outputs ENV=local

outputs: ## Print artifacts/$(ENV)/outputs.json
	@cat artifacts/$(ENV)/outputs.json 2>/dev/null || echo "no outputs yet for $(ENV): run site.yml first"

# The password goes to psql through PGPASSWORD, never on its command line.
psql: ## psql on the local database as the master user over TLS, from the secret (PSQL_ARGS='-c "\dt"')
	@$(BIN)/python -m localenv.psql $(PSQL_ARGS)

local-down: ## Stop the local services and remove their state
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m localenv down; else $(PYTHON) -m localenv down; fi
	rm -rf artifacts/local

# Everything at once: pytest's two workers beside molecule keep the two cores busy but for the moments their tests wait
# on the emulator's clock and the last files' tail; the checks of the checkout (lint and sanity, about 110 CPU-seconds)
# run beside them at the lowest priority (CHECKS_NICE), on what the tests leave idle, instead of first, with one core
# idle while sanity finished alone. From a fresh clone on this 2-core machine, busy 91% of the run both ways: 10m14s
# in two phases, 9m23s-10m21s (with the template cache) this way, 8m44s-10m10s with the controller connection and the
# bytecode cache (9m45s with PYTEST_WORKERS=3), 7m26s-8m34s with uv and the waiting test modules beside the checks
# (tests/conftest.py, WAITING_MODULES), 7m58s-9m41s on a slower day; the run is bound by its CPU work, not its schedule.
test: venv system-deps ## Run every check: the unit tests beside molecule, lint and sanity on the cores they leave idle
	$(MAKE) --no-print-directory -j4 --output-sync=target CHECKS_NICE="nice -n 19" unit molecule lint sanity

lint: venv ## yamllint and ansible-lint (production profile)
	$(CHECKS_NICE) $(BIN)/yamllint --strict .
	$(CHECKS_NICE) $(BIN)/ansible-lint --profile production

sanity: venv ## ansible-test sanity on the collection
	$(CHECKS_NICE) tests/sanity.sh

# Each test module runs its own emulator and PostgreSQL on ports of its own, so modules run side by side; the modules
# that share one converged environment (tests/environment.py) are scheduled as one file, so one worker runs them.
# A third worker left the cores idle less but added as much work: 8m30s against 8m29s from fresh clones.
PYTEST_WORKERS ?= 2

unit: venv system-deps ## pytest: plugins, the local environment, the roles and the operations playbooks
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

molecule: venv system-deps ## The end-to-end molecule scenario on the local environment
	$(BIN)/molecule test

fidelity-doc: venv ## Regenerate the table in localenv/FIDELITY.md from the fidelity registry
	$(BIN)/python -m localenv.fidelity --write

parameters: venv ## Regenerate localenv/data/postgres15_parameters.json from the local PostgreSQL 15's pg_settings
	$(BIN)/python -m localenv.parameters --write

variables-doc: venv ## Regenerate docs/variables.md from the roles' argument specs, defaults and the inventories
	$(BIN)/python -m tools.variables_doc --write

cost: venv ## Print the monthly cost of inventories/$(ENV) and write artifacts/$(ENV)/cost.json (no AWS call)
	$(BIN)/ansible-playbook -i inventories/$(ENV) playbooks/cost.yml

prices: venv ## Refresh prices/*.yml from the AWS Price List API (needs credentials allowed pricing:GetProducts)
	$(BIN)/python -m tools.prices

cost-doc: venv ## Regenerate the figures of docs/cost.md from what playbooks/cost.yml computes for inventories/local
	$(BIN)/python -m tools.cost_doc --write

# On demand, not part of `make test`: a few minutes on an environment of its own (.local-bench, ports 4591/55491).
bench: venv system-deps ## Time a rollout, a no-op re-run and Ansible's floor at 1/10 of AWS's pace (BENCH_SCALE)
	$(BIN)/python -m tools.bench

lock: ## Re-resolve requirements.in into the pinned requirements.txt
	rm -rf /tmp/shoppulse-lock && $(PYTHON) -m venv /tmp/shoppulse-lock
	/tmp/shoppulse-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned toolchain: every Python package, transitive ones included."; echo "# Regenerate with: make lock"; \
	  /tmp/shoppulse-lock/bin/pip freeze --exclude-editable; } > requirements.txt
