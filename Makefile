# Two commands: `make run` (serve the demo on http://127.0.0.1:8000) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=$${DEBUG:-1}

.PHONY: install run test lint check-python check-pango worker faults bench messages clean

check-python:
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'

$(STAMP): pyproject.toml requirements.lock | check-python
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

check-pango: install
	@$(BIN)/python -c 'import weasyprint' 2>/dev/null || { \
	  echo ""; \
	  echo "WeasyPrint (PDF reports) needs the Pango system libraries, which are missing."; \
	  echo "  Debian/Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  echo "  Fedora:        sudo dnf install pango"; \
	  echo "  macOS:         brew install pango"; \
	  echo "The site runs without them; only PDF reports will fail until they are installed."; \
	  echo ""; }

run: install check-pango
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# Parallel on every core (pytest-xdist). tests/conftest.py puts the tests that take seconds
# (slow, browser) first; "worksteal" gives each worker half of the list and lets a worker that
# runs out take tests from the end of the other's, so both end together. Any order is safe: the
# migrations' data is loaded again after each transactional test's flush (tests/conftest.py).
# Override, e.g. `make test PYTEST_ARGS="-n 0 tests/budgets/test_ledger.py"`.
PYTEST_ARGS ?= -n auto --dist worksteal

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A buurtplatform worker -l info -c 1

faults: install
	$(BIN)/python -m pytest -m slow -v tests/trust

bench: install
	$(BIN)/python bench/run.py

# Regenerate the English catalogue from the source and the {Dutch: English} files locale/en/*.json.
messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "bench/*" -i "tests/*"
	for f in locale/en/*.json; do $(BIN)/python locale/fill_po.py locale/en/LC_MESSAGES/django.po $$f; done
	$(DEV_ENV) $(BIN)/python manage.py compilemessages -l en -l nl --ignore ".venv"

clean:
	rm -rf $(VENV) .test-media staticfiles
