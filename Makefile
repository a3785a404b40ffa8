# Parcours — the two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DATA ?= data
HOST ?= 127.0.0.1:8000
# The demo runs inside the brochure's year (2016-2017), whose registrations are open on
# this date; production leaves PARCOURS_TODAY unset (see parcours/clock.py).
DEMO_TODAY ?= 2016-09-01
DEMO_YEAR ?= 2016-2017

.PHONY: run serve test setup install migrate load lint lock clean

# The task worker (e-mails, long jobs) runs beside the development server and stops with it; links
# in e-mails point at the address served (HOST), unless PARCOURS_SITE_URL says otherwise.
run: setup
	export PARCOURS_TODAY=$${PARCOURS_TODAY-$(DEMO_TODAY)}; \
	export PARCOURS_SITE_URL=$${PARCOURS_SITE_URL-http://$(HOST)}; \
	$(BIN)/python manage.py worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST)

# The production profile on this machine: DEBUG=0, gunicorn (gunicorn.conf.py) and the
# task worker, against DATABASE_URL (else the SQLite file of `make run`). Plain HTTP on the
# loopback, so secure cookies and the HTTPS redirect are off here; in production the TLS
# proxy is in front (docs/deploy.md). A secret key is made once under var/.
serve: setup
	test -s var/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	export DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0; \
	export SECRET_KEY=$${SECRET_KEY-$$(cat var/secret_key)}; \
	export ALLOWED_HOSTS=$${ALLOWED_HOSTS-127.0.0.1,localhost}; \
	export PARCOURS_TODAY=$${PARCOURS_TODAY-$(DEMO_TODAY)}; \
	export PARCOURS_SITE_URL=$${PARCOURS_SITE_URL-http://$(HOST)}; \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0; \
	$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST)

# Everything `run` needs except serving: the venv, the schema, the catalogue, demo accounts,
# the year's published planning, its teaching groups and exam sessions, past results.
setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_catalogue $(DATA)
	$(BIN)/python manage.py load_demo_accounts
	# The year's evening timetable, per centre (a few seconds each); kept if already made.
	PARCOURS_DATA_DIR=$(abspath $(DATA)) $(BIN)/python manage.py generate_planning --year $(DEMO_YEAR) --publish --if-missing
	$(BIN)/python manage.py load_demo_teaching --year $(DEMO_YEAR)
	$(BIN)/python manage.py load_demo_awards
	# Two past years with decided juries: the catalogue shows their published results.
	$(BIN)/python manage.py load_demo_results

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

# The whole suite. Browser tests skip, with their reason, when Chromium is absent,
# unless PARCOURS_REQUIRE_BROWSER=1 (as in CI).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the lock after editing pyproject.toml (needs network access to PyPI).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --universal -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
