# The two commands a newcomer needs: `make run` and `make test`. Both set up what is missing first.
PY := .venv/bin/python

.PHONY: run run-scale-out test test-fast lint setup browser services train index validate bench bench-retrieval bench-shops bench-nlu bench-load bench-back-office bench-soak bench-chaos shell lock

run: setup            ## start Rasa and the api (trains and indexes first if needed)
	@$(PY) -m runner

run-scale-out: setup services  ## the same product on PostgreSQL and Redis: two Rasa and two api replicas behind nginx
	@$(PY) -m runner.scale_out

test: setup lint browser services  ## lint, then the whole test suite, integration and browser tests included
	@$(PY) -m pytest

test-fast: setup services  ## everyday lane: the unit tests only, no Rasa, no browser, no trained model (under 2 min)
	@$(PY) -m pytest -m "not integration and not browser and not slow"

lint: setup           ## ruff and mypy (settings in pyproject.toml); part of make test
	@.venv/bin/ruff check .
	@.venv/bin/mypy
	@.venv/bin/mypy --python-executable .venv-rasa/bin/python --python-version 3.10 bot  # the NLU component, in Rasa's Python

services:             ## PostgreSQL, Redis and nginx for the scale-out profile and its tests (apt-get when missing, as root)
	@bash scripts/services.sh

browser:              ## Chromium for the browser tests (installed with apt-get when missing and run as root)
	@bash scripts/browser.sh

setup:                ## create or update .venv and .venv-rasa (skipped when nothing changed)
	@bash scripts/setup.sh

train: setup          ## train the Rasa model if its inputs changed
	@$(PY) -c "from api.settings import Settings; from runner.training import ensure_model; ensure_model(Settings().model_dir)"

index: setup          ## build the knowledge index if the content changed
	@.venv/bin/shopbot-kb build

validate: setup       ## check the knowledge files and the Rasa training data
	@.venv/bin/shopbot-kb validate
	@PYTHONPATH=. .venv-rasa/bin/rasa data validate --data bot/data --domain domain.yml --config config.yml

bench: bench-shops bench-retrieval bench-nlu bench-load  ## all benchmarks but the soak; figures go to docs/benchmarks.md

bench-shops: setup    ## answers per shop and language through the whole path (the demo shop and shops from real FAQ pages; about 15 min)
	@$(PY) -m benchmarks.shops

bench-retrieval: setup  ## ranking quality on the demo shop against baselines, search latency, index build speed (about 10 min)
	@$(PY) -m benchmarks.retrieval

bench-nlu: setup      ## intent pipelines side by side on the held-out split (about 15 min)
	@$(PY) -m benchmarks.nlu

bench-load: setup     ## the chat path under 1, 10 and 50 customers next to bare Rasa, with CPU and memory, then open-loop arrivals at 5-20 msg/s (about 8 min)
	@$(PY) -m benchmarks.load

bench-back-office: setup  ## the back office's unanswered-question groups at 2,000 and 100,000 questions: time and memory
	@$(PY) -m benchmarks.back_office

bench-soak: setup     ## 10 customers for 10 minutes: memory over time, every message stored once and answered
	@$(PY) -m benchmarks.load --soak 600

bench-chaos: setup    ## 10 customers while Rasa and then the api are killed with -9: sent, stored, answered, lost, duplicated, recovery (about 5 min)
	@$(PY) -m benchmarks.chaos --customers 10

lock:                 ## re-pin both environments from requirements/*.in (needs network access to PyPI)
	@bash scripts/lock.sh
