# Amparo: `make run` serves the app with demo data; `make test` runs every check.
SHELL := /bin/bash
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= 3.12

# uv on PATH if it works, else the copy `make` installs for the current user.
UV := $(shell if uv --version >/dev/null 2>&1; then echo uv; else echo "python3 -m uv"; fi)
PY := .venv/bin/python
DEV := set -a && . ./var/dev.env && set +a &&

.PHONY: run test deps lint typecheck migrations-check pytest messages worker clean help

help:
	@echo "make run   - serve http://127.0.0.1:$(PORT) with demo data and a background worker"
	@echo "make test  - lint, type check, migrations check and the whole test suite"

deps: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user --quiet uv \
		|| python3 -m pip install --user --quiet --break-system-packages uv
	$(UV) sync --frozen
	@touch $@

var/dev.env:
	@python3 scripts/dev_env.py var/dev.env

run: deps var/dev.env
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py createcachetable
	$(DEV) $(PY) manage.py schedule_jobs
	@$(DEV) if [ ! -f var/.demo-seeded ]; then $(PY) manage.py seed_demo && touch var/.demo-seeded; \
		else $(PY) manage.py seed_demo | sed -n '1,20p'; fi
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the worker)"
	@$(DEV) ( $(PY) manage.py db_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT) )

worker: deps var/dev.env
	$(DEV) $(PY) manage.py db_worker

lint: deps
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .

# Both import the settings, which need keys: the development ones (var/dev.env) serve.
typecheck: deps var/dev.env
	$(DEV) $(PY) -m mypy .

migrations-check: deps var/dev.env
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

pytest: deps
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest

# Regenerate the English catalogue after changing Spanish strings (needs GNU gettext).
messages: deps
	$(PY) manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "var/*"
	$(PY) manage.py compilemessages -l en -i .venv -i var

clean:
	rm -rf .venv var/static
