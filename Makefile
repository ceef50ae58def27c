# The two everyday commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format worker beat

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)  ## start the API on the embedded default with demo data
	$(BIN)/elearn db upgrade
	$(BIN)/elearn demo
	$(BIN)/elearn serve

test: $(INSTALLED)  ## the whole test suite (SQLite; PostgreSQL when ELEARN_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy elearn

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: $(INSTALLED)
	$(BIN)/celery -A elearn.worker worker --loglevel=INFO -Q default,certificates,mail

beat: $(INSTALLED)
	$(BIN)/celery -A elearn.worker beat --loglevel=INFO
