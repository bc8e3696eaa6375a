# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest infra-check bench clean

# pip's per-package lines are the progress of the first run; its sub-steps and this machine's
# `WARNING: Location` lines are noise (errors and the final summary still show).
PIP_NOISE := -e '^WARNING: Location' -e '^Requirement already satisfied' -e '^Looking in' \
	-e '^ *\(Downloading\|Using cached\|Obtaining\|Installing build\|Getting requirements\|Preparing\|Checking if\|Building\|Created wheel\|Stored in\|Attempting uninstall\|Found existing\|Uninstalling\|Successfully uninstalled\)'

# (Re)create the virtualenv when it is missing or pyproject.toml changed.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating the virtualenv $(VENV) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the proxy and its development tools into $(VENV) (first run: 1-3 minutes) ..."
	@$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -m pip install --progress-bar off -e '.[dev]' 2>&1 | grep --line-buffered -v $(PIP_NOISE) || true
	@$(BIN)/python -c "import proxy, httpx, yaml, orjson, boto3, moto, hypothesis"
	@touch $(STAMP)
	@echo "Done: $(VENV) is ready."

run: $(STAMP)
	$(BIN)/proxy serve --demo

test: $(STAMP) lint typecheck pytest infra-check

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

pytest: $(STAMP)
	$(BIN)/pytest

# checkov over infra/, offline. Own venv: checkov pins boto3 1.35 and its bc-python-hcl2 owns the
# same `hcl2` package as python-hcl2 in .venv. Exits non-zero on any failed check.
INFRA_VENV := .venv-infra
$(INFRA_VENV)/.installed: infra/requirements-checkov.txt
	@test -x $(INFRA_VENV)/bin/python || $(PYTHON) -m venv $(INFRA_VENV)
	@echo "Installing checkov into $(INFRA_VENV) (first run: about 1 minute) ..."
	@$(INFRA_VENV)/bin/python -m pip install --quiet -r infra/requirements-checkov.txt 2>&1 | grep -v '^WARNING: Location' || true
	$(INFRA_VENV)/bin/checkov --version
	@touch $@

infra-check: $(INFRA_VENV)/.installed
	$(INFRA_VENV)/bin/checkov -d infra --framework terraform --skip-download --quiet --compact

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# The bundled rules pre-parsed (src/proxy/bundled_rules/*.json, read instead of the YAML on a
# cold start); run after editing a bundled YAML (tests/rules/test_preparsed_rules.py says so).
.PHONY: rules-json
rules-json: $(STAMP)
	$(BIN)/python -c "from proxy.rules._preparsed import write_bundled_json; write_bundled_json()"

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache mutants

# Deployable artifacts: dist/lambda-arm64.zip (python3.12, arm64) and dist/gcp-source.zip, each
# printed with its base64 SHA-256 (Terraform's source_code_hash). See docs/deployment-artifacts.md.
.PHONY: package
package: $(STAMP)
	$(BIN)/proxy build all

# Mutation testing of the security-critical modules (slow: not part of `make test`; see
# docs/mutation-testing.md). Niced for a shared machine. Narrow it with MUTANTS, e.g.
# `make mutation MUTANTS='proxy.gateway*'`; results are kept in mutants/ between runs.
# MUTATION_WORKERS: parallel mutants; many wait on loopback servers and deadlines rather than
# compute, so more than the cores helps (deadline-bound tests get noisy when CPU is starved).
MUTANTS ?=
MUTATION_WORKERS ?= 2
.PHONY: mutation
mutation: $(STAMP)
	nice -n 15 $(BIN)/mutmut run --max-children $(MUTATION_WORKERS) $(MUTANTS)
	$(BIN)/mutmut results --all true | $(BIN)/python tests/mutation_score.py
