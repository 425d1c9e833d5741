# Spread Tracker: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
STAMP := $(VENV)/.installed

.PHONY: run test install migrate seed chromium lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_urlsafe(48))" > instance/config.py
	@echo "Wrote instance/config.py with a new random SECRET_KEY."

migrate: install instance/config.py
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --demo

## run: set up, migrate, load the reference and demo data, serve on http://127.0.0.1:5000
run: seed
	@echo ""
	@echo "Spread Tracker is starting on http://127.0.0.1:5000 — sign in with a demo account above"
	@echo "(admin and manager: then the security code from: $(FLASK) users demo-code admin@demo.invalid)."
	@echo "Everything marked 'demo' is made up; everything else is real reference data with its sources."
	@echo ""
	$(FLASK) run --debug --host 127.0.0.1 --port 5000

## test: set up and run the whole suite (browser tests included), a worker per core (TEST_WORKERS=0: none)
TEST_WORKERS ?= auto
test: install chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$CHROMIUM_PATH" ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "The browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

lint: install
	$(BIN)/ruff check tracker tests bench migrations scripts wsgi.py
	$(BIN)/ruff format --check tracker tests bench migrations scripts wsgi.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
