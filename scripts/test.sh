#!/usr/bin/env bash
# Installs what the tests need (idempotently, from the locks) and runs the whole suite: the linters and the
# type checker over the code, then pytest (which also builds the docs site: tests/test_docs_site.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh tests
echo "[test] ruff check, ruff format --check"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "[test] mypy (agora/; strict on the contract modules)"
.venv/bin/mypy
# Everything is installed now: a test that skips for a missing framework, venv or engine fails the run
# (tests/conftest.py; only the skips in EXPECTED_SKIPS, such as "needs a CUDA GPU", remain skips).
export AGORA_NO_SKIPS="${AGORA_NO_SKIPS:-1}"
exec .venv/bin/python -m pytest "$@"
