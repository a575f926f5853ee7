# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
LINT_PATHS := $(wildcard scheduler tests bench deploy wsgi.py setup.py)

.PHONY: run test install install-dev translations lint serve worker browsers bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

# Compile every message catalogue (scheduler/translations and each feature's own).
translations: $(VENV)/.installed
	@for d in $$(find scheduler -type d -name translations); do \
		$(BIN)/pybabel -q compile -f -d $$d || exit 1; done
	@# WTForms' own messages in Indonesian (WTForms ships no Indonesian catalogue).
	@$(BIN)/pybabel -q compile -f -D wtforms -d scheduler/translations

# Migrate, load the demo data, then serve the web app and the worker together: one line
# per step (each step's own output goes to instance/*.log, shown when the step fails).
# Another port: make run PORT=5001. Ctrl-C stops the web app and the worker.
run: install
	@echo "1/4 ready: $(VENV) with the pinned requirements, translations compiled"
	@mkdir -p instance
	@$(FLASK) db upgrade >instance/db-upgrade.log 2>&1 || { cat instance/db-upgrade.log; exit 1; }
	@echo "2/4 database migrated (instance/; the migrations' log: instance/db-upgrade.log)"
	@PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
		$(FLASK) seed-demo >instance/seed-demo.log 2>&1 || { cat instance/seed-demo.log; exit 1; }
	@echo "3/4 Kudus demo data loaded; demo users:"
	@sed -n 's/^user: */    /p' instance/seed-demo.log
	@echo "4/4 serving http://$(HOST):$(PORT) (web) and the worker; Ctrl-C stops both"
	@$(BIN)/python -m scheduler.devrun --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

test: install-dev lint
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool).
browsers:
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium chromium-driver)

bench: install-dev
	@echo "See bench/README.md for each benchmark and how to run it."

clean:
	rm -rf $(VENV) instance .pytest_cache

# Extract translatable strings into each catalogue and update its English .po
# (source strings are Bahasa Indonesia; English is the translation).
FEATURE_DIRS := sites appointments staff cards outreach notifications reports privacy
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o scheduler/translations/messages.pot \
		scheduler/*.py templates/*.html templates/errors
	@test -f scheduler/translations/en/LC_MESSAGES/messages.po || \
		$(BIN)/pybabel init -i scheduler/translations/messages.pot -d scheduler/translations -l en
	$(BIN)/pybabel update -N -i scheduler/translations/messages.pot -d scheduler/translations
	@for f in $(FEATURE_DIRS); do \
		[ -f scheduler/$$f/__init__.py ] || continue; \
		dirs="scheduler/$$f"; [ -d templates/$$f ] && dirs="$$dirs templates/$$f"; \
		mkdir -p scheduler/$$f/translations; \
		$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o scheduler/$$f/translations/messages.pot $$dirs; \
		test -f scheduler/$$f/translations/en/LC_MESSAGES/messages.po || \
			$(BIN)/pybabel init -i scheduler/$$f/translations/messages.pot -d scheduler/$$f/translations -l en; \
		$(BIN)/pybabel update -N -i scheduler/$$f/translations/messages.pot -d scheduler/$$f/translations; \
	done
