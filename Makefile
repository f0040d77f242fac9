# Everything a person runs. `make run` and `make test` set up what they need on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
REAL_REDIS_URL ?= redis://127.0.0.1:6379/0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-real system-deps lint bench

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# Debian packages: Chromium for the browser tests, espeak-ng and sox for generated test speech.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v espeak-ng >/dev/null; then \
		$(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium espeak-ng sox; fi

run: $(VENV)/.installed
	$(PY) -m coachsvc run

test: $(VENV)/.installed system-deps
	$(PY) -m pytest

# The same suite against the machine's PostgreSQL and Redis.
test-real: $(VENV)/.installed system-deps
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REAL_REDIS_URL) $(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check . && $(PY) -m ruff format --check .
