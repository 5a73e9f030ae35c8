# Kota Pintar — the two commands a new user needs:
#   make run    set up everything on an embedded SQLite database and start the platform
#   make test   run the whole test suite (PostgreSQL when DATABASE_URL is set, else SQLite)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Throwaway values for commands that load the settings without serving anyone (checks, schema).
CHECK_ENV := KOTAPINTAR_IGNORE_DOTENV=1 SECRET_KEY=check-only \
	PERSONAL_DATA_KEYS=r8Wq3lGq7o2mJc3wN1N1oQy0hM3Hc4x0VnJ0sJ6yq1Y= PERSONAL_DATA_HASH_KEY=check-only

.DEFAULT_GOAL := help
.PHONY: help run setup serve test test-fast lint format typecheck migrations-check messages \
	messages-check check-deploy install install-dev lock schema clean-venv

help:
	@echo "make run     - install, set up the SQLite database with demo data, start web + worker"
	@echo "make test    - run all tests (PostgreSQL if DATABASE_URL is set, otherwise SQLite)"
	@echo "make lint    - ruff format --check, ruff check, mypy, migrations check, messages check"
	@echo "make schema  - regenerate docs/api/openapi.yaml after an API change"

# --- environment -------------------------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Local secrets are generated once and then kept: the personal-data key must not change, or the
# encrypted NIKs in the local database could no longer be read.
.env: | $(BIN)/python
	$(BIN)/python scripts/make_dotenv.py > .env
	@echo "Created .env with fresh local secrets (keep it; never commit it)."

# --- run -----------------------------------------------------------------------------------------
setup: $(VENV)/.installed .env
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py load_complaint_categories
	$(BIN)/python manage.py load_umkm_reference
	$(BIN)/python manage.py load_civil_registration_services
	$(BIN)/python manage.py generate_demo --scale small
	$(BIN)/python manage.py collectstatic --noinput -v0

run: setup
	@$(BIN)/python scripts/run_local.py --host $(HOST) --port $(PORT)

# --- quality -------------------------------------------------------------------------------------
test: $(VENV)/.installed-dev
	$(BIN)/python scripts/run_tests.py $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(CHECK_ENV) $(BIN)/mypy .
	$(MAKE) -s migrations-check messages-check

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(VENV)/.installed-dev
	$(CHECK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Compile the catalogues from source and fail on any syntax error, untranslated or fuzzy entry.
messages-check: $(VENV)/.installed-dev
	$(BIN)/python scripts/check_messages.py

# Regenerate the catalogue after changing strings (needs GNU gettext).
messages: $(VENV)/.installed-dev
	$(CHECK_ENV) $(BIN)/python manage.py makemessages -l id --no-obsolete --add-location file --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'scripts/*'
	$(BIN)/python scripts/check_messages.py --compile

schema: $(VENV)/.installed-dev
	$(CHECK_ENV) $(BIN)/python manage.py spectacular --file docs/api/openapi.yaml --validate

check-deploy: $(VENV)/.installed
	$(BIN)/python scripts/check_deploy.py

# Re-pin requirements*.txt from requirements*.in in throwaway virtual environments.
lock:
	$(PYTHON) scripts/lock_requirements.py

clean-venv:
	rm -rf $(VENV)
