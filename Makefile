# RentEzy developer commands. Everything runs on this machine, no Docker:
#   make up     the whole platform (servers + every service process), in the background
#   make test   every test, against the same real servers
# See README.md.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: help setup up down status logs test lint format bench infra-status demo web-dev openapi

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## install what is missing: uv, Python environments, PostgreSQL, Redis, Kafka, Elasticsearch, stripe-mock, SMTP
	@scripts/setup.sh

up: setup ## start servers, migrate, run every service under one supervisor; prints where each listens
	@$(PY) scripts/dev.py up

down: ## stop the services and the servers that `make up` started
	@if [ -x $(PY) ]; then $(PY) scripts/dev.py down; else scripts/infra.sh stop; fi

status: ## what is running, and whether each service is ready
	@$(PY) scripts/dev.py status

logs: ## follow the services' prefixed logs
	@$(PY) scripts/dev.py logs

test: setup ## run every test against the real servers (T=booking_service to run one target)
	@$(PY) scripts/dev.py test $(T)

lint: setup ## ruff check and format check
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

format: ## apply ruff's fixes and formatting
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

demo: ## fill the running platform with demo listings, landlords, tenants and bookings (idempotent)
	@RENTEZY_ENV=$${RENTEZY_ENV:-dev} $(PY) scripts/demo.py

openapi: setup ## regenerate the web app's API types from the services' code (frontend/src/api/openapi.json, schema.d.ts), offline
	@$(PY) scripts/openapi.py

web-dev: ## the web app's Vite dev server with hot reload (http://127.0.0.1:5173), API via the gateway
	@RENTEZY_ENV=$${RENTEZY_ENV:-dev} scripts/frontend.sh dev

bench: setup ## benchmarks under bench/ with their reports (B="events gateway search booking rent visits chat notifications profiles" to pick)
	@scripts/infra.sh start
	@rc=0; for b in $${B:-events gateway search booking rent visits chat notifications profiles}; do echo "== bench/$$b"; $(PY) bench/$$b/run.py || rc=1; done; exit $$rc
