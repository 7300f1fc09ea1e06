# Every target creates .venv when it is missing and is safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := pyproject.toml

.PHONY: test report lab lint bench mutate clean venv airflow-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python $(SOURCES)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

report: $(STAMP)
	$(BIN)/opslib report all --sample --out reports

# jupyter refuses to start as root unless told; containers and CI machines often are root
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

lint: $(STAMP)
	$(BIN)/ruff check opslib tests benchmarks examples data/sample tools
	$(BIN)/ruff format --check opslib tests benchmarks examples data/sample tools
	$(BIN)/mypy

# A real Apache Airflow in its own venv (the main one stays small): the fleet DAG end to end.
AIRFLOW_VENV := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed
AIRFLOW_PACKAGES := 'apache-airflow>=3.0,<4' apache-airflow-providers-papermill apache-airflow-providers-standard

$(AIRFLOW_STAMP): pyproject.toml
	test -x $(AIRFLOW_VENV)/bin/python || $(PYTHON) -m venv $(AIRFLOW_VENV)
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet -e . $(AIRFLOW_PACKAGES)
	touch $(AIRFLOW_STAMP)

airflow-test: $(AIRFLOW_STAMP)
	$(AIRFLOW_VENV)/bin/python tests/airflow/check_fleet_dag.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Mutation testing of the core modules, one group at a time (see docs/testing.md); not part of CI.
# `make mutate GROUPS="plans history"` runs some groups only; MUTATE_JOBS=1 uses one core.
MUTATE_STAMP := $(VENV)/.mutate-installed
$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,lint,mutate]'
	touch $(MUTATE_STAMP)

mutate: $(MUTATE_STAMP)
	$(BIN)/python tools/mutate.py $(GROUPS)

clean:
	rm -rf reports build/mutate .pytest_cache .mypy_cache .ruff_cache
