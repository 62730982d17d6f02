# crowdstudio — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
# The reference tools benchmarks compare against (moviepy, screenplain) live in a virtualenv of
# their own: they pin versions of Pillow and friends that crowdstudio does not use.
REF_VENV := .venv-reference
REF_STAMP := $(REF_VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run demo worker web test test-fast test-postgres test-e2e system-deps lint format messages bench-intake bench-votes bench-ingest bench-montage bench-screenplay clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## create the virtualenv and install the pinned packages

demo: install ## migrate the database and load the generated demo data
	$(BIN)/crowdstudio migrate --no-input -v 0
	$(BIN)/crowdstudio demo

$(REF_STAMP): benchmarks/reference-requirements.lock
	test -x $(REF_VENV)/bin/python || $(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/pip install --quiet --upgrade "pip>=24"
	$(REF_VENV)/bin/pip install --quiet -r benchmarks/reference-requirements.lock
	touch $(REF_STAMP)

run: demo ## set everything up, then start the web server and the background worker
	@scripts/system-deps runtime || echo "  (table reads need espeak-ng; everything else works without it)"
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/crowdstudio worker & \
	$(BIN)/crowdstudio runserver --noreload $(HOST):$(PORT) & \
	sleep 3; \
	echo; \
	echo "  crowdstudio is running at http://$(HOST):$(PORT)/"; \
	echo "  demo logins (password: crowdstudio-demo), by username or email @demo.crowdstudio.test:"; \
	echo "    owner       organisation owner: results, payouts (also the Django admin at /admin/)"; \
	echo "    producer    producer: campaigns, rounds, prizes, terms, juries"; \
	echo "    moderator   moderator: the moderation queue, reported comments, vote integrity"; \
	echo "    judge       judge: My judging (Summer Nights half scored, Night Shots done)"; \
	echo "    fan         a fan: notifications, My awards (won Night Shots); can enter Summer Nights"; \
	echo "    fan03       Night Shots runner-up: My awards, payout waiting for a new tax form"; \
	echo "  API docs: http://$(HOST):$(PORT)/api/docs    stop with Ctrl+C"; \
	echo; \
	wait

system-deps: ## install what tests need from Debian (Chromium for the browser tests)
	@scripts/system-deps

test: install system-deps lint ## lint, then the whole suite: SQLite, then the concurrency tests on a real PostgreSQL
	$(BIN)/python -m pytest -n 2 --dist loadgroup -p no:cacheprovider
	scripts/with-postgres $(BIN)/python -m pytest -m postgres -p no:cacheprovider tests/postgres

test-fast: install ## the suite without the browser and PostgreSQL tests
	$(BIN)/python -m pytest -m "not e2e and not postgres" -p no:cacheprovider

lint: install ## ruff and mypy
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

format: install ## apply ruff's formatting and fixes
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

messages: install ## update the .po files and compile them
	cd src/crowdstudio && ../../$(BIN)/crowdstudio makemessages -l de --ignore "*/migrations/*"
	cd src/crowdstudio && ../../$(BIN)/crowdstudio compilemessages

bench-intake: install ## intake throughput and near-duplicate lookup at 10k/100k/1M hashes
	$(BIN)/python benchmarks/bench_intake.py

bench-votes: install ## vote endpoint under load from a second process, leaderboard with 1M votes
	$(BIN)/python benchmarks/bench_votes.py

bench-ingest: install ## import 100k synthetic hashtag posts from a local fake server: posts/s, peak memory
	$(BIN)/python benchmarks/bench_ingest.py

bench-montage: install $(REF_STAMP) ## 3-min 1080p30 music video from 300 photos: crowdstudio vs moviepy vs the encoder alone
	$(BIN)/python benchmarks/bench_montage.py --reference-python $(REF_VENV)/bin/python

bench-screenplay: install $(REF_STAMP) ## parse and render a 120-page script to PDF, beside screenplain
	$(BIN)/python benchmarks/bench_screenplay.py --reference-python $(REF_VENV)/bin/python

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) $(REF_VENV) var
